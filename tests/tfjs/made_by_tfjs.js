// Models that TF.js itself builds and saves, in the layers format, with its own predictions:
//   node made_by_tfjs.js OUT     writes OUT/NAME/{model.json, weights.bin, x.json, y.json}
// LayerLoom imports each and must predict y from x (check.sh). The configs are TF.js's own,
// nulls and all: what a user's TF.js files hold.
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs");

/// Deterministic inputs: batch 3 of sequences shaped `shape`.
function inputs(shape) {
  const [steps, features] = shape;
  return [0, 1, 2].map((b) =>
    [...Array(steps).keys()].map((t) => [...Array(features).keys()].map((f) => Math.sin(0.9 * b + 0.41 * t + 1.3 * f) + 0.05 * t)));
}

const models = {
  // TF.js writes the wrapped LSTM's unit_forget_bias as null.
  bidirectional_lstm() {
    const input = tf.input({shape: [7, 2]});
    const rnn = tf.layers.bidirectional({layer: tf.layers.lstm({units: 5, returnSequences: true}), mergeMode: "concat"}).apply(input);
    const out = tf.layers.timeDistributed({layer: tf.layers.dense({units: 2})}).apply(rnn);
    return {model: tf.model({inputs: input, outputs: out}), shape: [7, 2]};
  },
};

async function save(model, dir) {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.from(artifacts.weightData));
    const json = {
      format: "layers-model",
      generatedBy: "TensorFlow.js tfjs-layers v" + tf.version_layers,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{paths: ["weights.bin"], weights: artifacts.weightSpecs}],
    };
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(json));
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: "JSON"}};
  }));
}

async function main() {
  const out = process.argv[2];
  await tf.setBackend("cpu");
  for (const [name, make] of Object.entries(models)) {
    const dir = path.join(out, name);
    fs.mkdirSync(dir, {recursive: true});
    const {model, shape} = make();
    await save(model, dir);
    const x = inputs(shape);
    fs.writeFileSync(path.join(dir, "x.json"), JSON.stringify(x));
    fs.writeFileSync(path.join(dir, "y.json"), JSON.stringify(await model.predict(tf.tensor(x)).array()));
  }
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
