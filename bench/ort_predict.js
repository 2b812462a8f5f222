// ONNX Runtime's side of onnx_side_by_side.sh: the same model exported to ONNX, the same batch
// and thread count, seeded inputs; the median milliseconds per session.run.
//   node ort_predict.js MODEL.onnx BATCH THREADS [SECONDS]
const ort = require("onnxruntime-node");

async function main() {
    const [model, batchText, threadText, secondsText] = process.argv.slice(2);
    const batch = Number(batchText), threads = Number(threadText), seconds = Number(secondsText || 3);
    const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all",
    });
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const feeds = {};
    for (const name of session.inputNames) {
        const meta = session.inputMetadata ? session.inputMetadata.find((m) => m.name === name) : null;
        const dims = meta && meta.shape ? meta.shape.map((d) => (typeof d === "number" && d > 0 ? d : null)) : null;
        if (!dims || dims.slice(1).some((d) => d === null)) throw new Error(`${name}: give the input fixed sizes after the batch`);
        dims[0] = batch;
        const count = dims.reduce((a, b) => a * b, 1);
        const ids = meta.type === "int32";
        const data = ids ? Int32Array.from({ length: count }, (_, i) => i % 2) : Float32Array.from({ length: count }, random);
        feeds[name] = new ort.Tensor(ids ? "int32" : "float32", data, dims);
    }
    const once = async () => {
        const start = process.hrtime.bigint();
        await session.run(feeds);
        return Number(process.hrtime.bigint() - start) / 1e6;
    };
    for (let k = 0; k < 3; ++k) await once();
    const times = [];
    let total = 0;
    while (total < seconds * 1000 || times.length < 5) {
        times.push(await once());
        total += times[times.length - 1];
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`${model} batch ${batch} threads ${threads}: ${median.toFixed(4)} ms per batch (median of ${times.length}), ` +
                `${((1000 * batch) / median).toFixed(1)} samples/s`);
}

main().catch((e) => {
    console.error(`ort_predict: ${e && e.message ? e.message : e}`);
    process.exit(1);
});
