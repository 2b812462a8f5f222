// Models that TF.js itself builds and saves, in the layers format, with its own predictions:
//   node made_by_tfjs.js OUT     writes OUT/NAME/{model.json, weights.bin, x.json, y.json}
// LayerLoom imports each and must predict y from x (check.sh). The configs are TF.js's own,
// nulls and all: what a user's TF.js files hold.
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs");

/// Deterministic inputs: batch 3 of sequences shaped `shape` (models of token ids give their own).
function inputs(shape) {
  const [steps, features] = shape;
  return [0, 1, 2].map((b) =>
    [...Array(steps).keys()].map((t) => [...Array(features).keys()].map((f) => Math.sin(0.9 * b + 0.41 * t + 1.3 * f) + 0.05 * t)));
}

/// inputs([8, 3]) with steps of zeros after, before and between the real ones, for Masking.
function padded() {
  const x = inputs([8, 3]);
  [[5, 6, 7], [0, 1], [2, 3, 6]].forEach((steps, b) => steps.forEach((t) => { x[b][t] = [0, 0, 0]; }));
  return x;
}

const models = {
  // Shared layers: one Dense applied twice in a row, and one LSTM reading the sequence and its
  // transformed copy, the two readings concatenated: a layer with several inbound nodes, whose
  // later calls are its nodes 1, 2.
  shared_layers() {
    const input = tf.input({shape: [6, 3]});
    const mix = tf.layers.dense({units: 3, activation: "tanh"});
    const twice = mix.apply(mix.apply(input));
    const reader = tf.layers.lstm({units: 4});
    const out = tf.layers.concatenate().apply([reader.apply(input), reader.apply(twice)]);
    return {model: tf.model({inputs: input, outputs: tf.layers.dense({units: 2}).apply(out)}), shape: [6, 3]};
  },
  // TF.js writes the wrapped LSTM's unit_forget_bias as null.
  bidirectional_lstm() {
    const input = tf.input({shape: [7, 2]});
    const rnn = tf.layers.bidirectional({layer: tf.layers.lstm({units: 5, returnSequences: true}), mergeMode: "concat"}).apply(input);
    const out = tf.layers.timeDistributed({layer: tf.layers.dense({units: 2})}).apply(rnn);
    return {model: tf.model({inputs: input, outputs: out}), shape: [7, 2]};
  },
  // Every activation layer TF.js has, and the activations LayerLoom shares with it, side by side
  // on one input; PReLU's alphas start random, so that they matter.
  activation_layers() {
    const input = tf.input({shape: [6, 3]});
    const mixed = tf.layers.dense({units: 4, activation: "relu6"}).apply(input);
    const alpha = (seed) => tf.initializers.randomNormal({mean: 0.2, stddev: 0.2, seed});
    const branches = [
      tf.layers.activation({activation: "mish"}),
      tf.layers.activation({activation: "logSoftmax"}),
      tf.layers.activation({activation: "swish"}),
      tf.layers.reLU({maxValue: 1.5}),
      tf.layers.leakyReLU({alpha: 0.1}),
      tf.layers.prelu({alphaInitializer: alpha(1)}),
      tf.layers.prelu({sharedAxes: [1], alphaInitializer: alpha(2)}),
      tf.layers.elu(),  // TF.js computes alpha 1 only
      tf.layers.softmax({axis: -1}),
    ].map((layer) => layer.apply(mixed));
    const out = tf.layers.concatenate().apply(branches);
    return {model: tf.model({inputs: input, outputs: out}), shape: [6, 3]};
  },
  // The noise layers: the identity when predicting, whatever their rates.
  noise_layers() {
    const input = tf.input({shape: [6, 3]});
    let x = tf.layers.dense({units: 4, activation: "tanh"}).apply(input);
    x = tf.layers.spatialDropout1d({rate: 0.3}).apply(x);
    x = tf.layers.gaussianNoise({stddev: 0.2}).apply(x);
    x = tf.layers.gaussianDropout({rate: 0.2}).apply(x);
    x = tf.layers.alphaDropout({rate: 0.1}).apply(x);
    const out = tf.layers.dense({units: 2}).apply(x);
    return {model: tf.model({inputs: input, outputs: out}), shape: [6, 3]};
  },
  // Token ids of an int32 Input, looked up by an Embedding and read by an LSTM; every id of
  // the table appears, the first and the last among them.
  embedding() {
    const input = tf.input({shape: [9], dtype: "int32"});
    let x = tf.layers.embedding({inputDim: 12, outputDim: 5, embeddingsInitializer: tf.initializers.randomNormal({stddev: 1, seed: 3})}).apply(input);
    x = tf.layers.lstm({units: 4}).apply(x);
    const out = tf.layers.dense({units: 2}).apply(x);
    const ids = [0, 1, 2].map((b) => [...Array(9).keys()].map((t) => (5 * b + 7 * t + (b === 2 ? 11 : 0)) % 12));
    return {model: tf.model({inputs: input, outputs: out}), x: ids};
  },
  // Masking: steps of zeros (after, before and between the real ones) that the LSTM and the
  // GRU skip, carrying their states over; the GRU's last output is that of the last real step.
  masking() {
    const input = tf.input({shape: [8, 3]});
    let x = tf.layers.masking({maskValue: 0}).apply(input);
    x = tf.layers.lstm({units: 4, returnSequences: true}).apply(x);
    x = tf.layers.gru({units: 3}).apply(x);
    const out = tf.layers.dense({units: 2}).apply(x);
    return {model: tf.model({inputs: input, outputs: out}), x: padded()};
  },
  // go_backwards on every recurrent kind: each reads its input from the last step, and the
  // sequences in between stay in reading order.
  go_backwards() {
    const input = tf.input({shape: [7, 2]});
    let x = tf.layers.lstm({units: 4, returnSequences: true, goBackwards: true}).apply(input);
    x = tf.layers.simpleRNN({units: 3, returnSequences: true, goBackwards: true}).apply(x);
    x = tf.layers.gru({units: 3, goBackwards: true}).apply(x);
    const out = tf.layers.dense({units: 2}).apply(x);
    return {model: tf.model({inputs: input, outputs: out}), shape: [7, 2]};
  },
  // A backwards reading of padded samples skips the padding, and passes the mask on unreversed
  // to a forward GRU, as TF.js and Keras do.
  masking_backwards() {
    const input = tf.input({shape: [8, 3]});
    let x = tf.layers.masking({maskValue: 0}).apply(input);
    x = tf.layers.lstm({units: 4, returnSequences: true, goBackwards: true}).apply(x);
    x = tf.layers.gru({units: 3}).apply(x);
    const out = tf.layers.dense({units: 2}).apply(x);
    return {model: tf.model({inputs: input, outputs: out}), x: padded()};
  },
  // Embedding(mask_zero): id 0 is padding, before and after the real ids, which a Bidirectional
  // LSTM skips in both directions (its padded outputs are zero) and a SimpleRNN after it too.
  embedding_mask_zero() {
    const input = tf.input({shape: [8], dtype: "int32"});
    let x = tf.layers.embedding({inputDim: 10, outputDim: 4, maskZero: true,
                                 embeddingsInitializer: tf.initializers.randomNormal({stddev: 1, seed: 5})}).apply(input);
    x = tf.layers.bidirectional({layer: tf.layers.lstm({units: 3, returnSequences: true}), mergeMode: "concat"}).apply(x);
    x = tf.layers.simpleRNN({units: 4}).apply(x);
    const out = tf.layers.dense({units: 2}).apply(x);
    const ids = [[3, 1, 4, 1, 5, 9, 0, 0], [0, 0, 0, 2, 6, 5, 3, 5], [8, 9, 0, 7, 9, 3, 2, 0]];
    return {model: tf.model({inputs: input, outputs: out}), x: ids};
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
    const made = make();
    await save(made.model, dir);
    const x = made.x || inputs(made.shape);
    const model = made.model;
    fs.writeFileSync(path.join(dir, "x.json"), JSON.stringify(x));
    fs.writeFileSync(path.join(dir, "y.json"), JSON.stringify(await model.predict(tf.tensor(x)).array()));
  }
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
