// Loads a Keras/TF.js layers-format folder with TF.js itself and predicts: node predict.js MODEL.json X.json Y.json
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs");

async function main() {
  const [modelPath, inputPath, outputPath] = process.argv.slice(2);
  const model = JSON.parse(fs.readFileSync(modelPath, "utf8"));
  const dir = path.dirname(modelPath);
  const weightSpecs = [];
  const buffers = [];
  for (const group of model.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  await tf.setBackend("cpu");
  const layers = await tf.loadLayersModel(tf.io.fromMemory({modelTopology: model.modelTopology, weightSpecs, weightData}));
  const x = tf.tensor(JSON.parse(fs.readFileSync(inputPath, "utf8")));
  const y = layers.predict(x);
  fs.writeFileSync(outputPath, JSON.stringify(await y.array()));
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
