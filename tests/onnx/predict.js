// Runs an .onnx file in ONNX Runtime on the inputs inputs.py wrote:
//   node predict.js MODEL.onnx X.json Y.json
// X.json: {input name: {type, dims, data}}; Y.json: {output name: {dims, data}}.
const fs = require("fs");
const ort = require("onnxruntime-node");

async function main() {
    const [model, xPath, yPath] = process.argv.slice(2);
    const x = JSON.parse(fs.readFileSync(xPath, "utf8"));
    const feeds = {};
    for (const [name, a] of Object.entries(x)) {
        const data = a.type === "int32" ? Int32Array.from(a.data) : Float32Array.from(a.data);
        feeds[name] = new ort.Tensor(a.type, data, a.dims);
    }
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const out = await session.run(feeds);
    const y = {};
    for (const name of session.outputNames) y[name] = { dims: out[name].dims, data: Array.from(out[name].data) };
    fs.writeFileSync(yPath, JSON.stringify(y));
}

main().catch((e) => {
    console.error(`${process.argv[2]}: ${e && e.message ? e.message : e}`);
    process.exit(1);
});
