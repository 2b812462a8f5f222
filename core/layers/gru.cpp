#include "layers/gru.h"

#include <nlohmann/json.hpp>

namespace loom {

const std::vector<ParamSpec>& GruSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        auto p = commonParams();
        p.push_back({.name = "reset_after", .type = ParamType::Bool, .defaultValue = true,
                     .help = "Apply the reset gate after the recurrent matrix (Keras's default, "
                             "and cuDNN's convention)."});
        return p;
    }();
    return schema;
}

std::vector<ParamShape> GruSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    // reset_after keeps an input bias and a recurrent bias, one row each.
    ParamShape bias{"bias", {3 * u}};
    if (node.param<bool>("reset_after")) bias.shape = {2, 3 * u};
    return gateWeights(node, inputs.front().back(), 3, std::move(bias));
}

std::string GruSpec::readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const {
    if (!config.contains("reset_after")) params["reset_after"] = producer != KerasProducer::TfJs;
    return RecurrentSpec::readKeras(config, producer, params);
}

std::string GruSpec::pytorchExtraArgs(const Node& node) const {
    return node.param<bool>("reset_after") ? ", True" : ", False";
}

std::vector<std::string_view> GruSpec::pytorchClasses() const {
    return {R"PY(class KerasGRU(nn.Module):
    """Keras's GRU: gates z, r, h; reset_after=True has bias (2, 3u) and applies r after the
    recurrent product, reset_after=False one bias (3u) and r before it. With return_state it
    gives the output and h; h0 is Keras's initial_state."""

    def __init__(self, inputs, units, act, rec, use_bias, return_sequences, reset_after, dropout=0.0,
                 recurrent_dropout=0.0, go_backwards=False, return_state=False):
        super().__init__()
        self.units, self.reset_after = units, reset_after
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        self.kernel = nn.Parameter(torch.empty(inputs, 3 * units))
        self.recurrent_kernel = nn.Parameter(torch.empty(units, 3 * units))
        shape = (2, 3 * units) if reset_after else (3 * units,)
        self.bias = nn.Parameter(torch.zeros(*shape)) if use_bias else None
        self.act, self.rec = activation(act), activation(rec)
        self.return_sequences, self.go_backwards = return_sequences, go_backwards
        self.return_state = return_state
        nn.init.xavier_uniform_(self.kernel)
        nn.init.orthogonal_(self.recurrent_kernel)

    def forward(self, x, h0=None):
        if self.go_backwards:  # read from the last step; outputs stay in reading order
            x = torch.flip(x, [1])
        u = self.units
        xm = dropout_mask(x, x.shape[0], x.shape[2], self.dropout, self.training)
        hm = dropout_mask(x, x.shape[0], u, self.recurrent_dropout, self.training)
        xs = (x if xm is None else x * xm[:, None, :]) @ self.kernel
        b_rec = None
        if self.bias is not None:
            xs = xs + (self.bias[0] if self.reset_after else self.bias)
            b_rec = self.bias[1] if self.reset_after else None
        h = x.new_zeros(x.shape[0], u) if h0 is None else h0
        out = []
        for t in range(x.shape[1]):
            xt = xs[:, t]
            hp = h if hm is None else h * hm  # h as the recurrent products use it
            if self.reset_after:
                a = hp @ self.recurrent_kernel
                if b_rec is not None:
                    a = a + b_rec
                z = self.rec(xt[:, :u] + a[:, :u])
                r = self.rec(xt[:, u:2 * u] + a[:, u:2 * u])
                hh = self.act(xt[:, 2 * u:] + r * a[:, 2 * u:])
            else:
                a = hp @ self.recurrent_kernel[:, :2 * u]
                z = self.rec(xt[:, :u] + a[:, :u])
                r = self.rec(xt[:, u:2 * u] + a[:, u:])
                hh = self.act(xt[:, 2 * u:] + (r * hp) @ self.recurrent_kernel[:, 2 * u:])
            h = z * h + (1 - z) * hh
            out.append(h)
        y = torch.stack(out, dim=1) if self.return_sequences else h
        return (y, h) if self.return_state else y
)PY"};
}

std::string GruSpec::tfjsLimitation(const Node& node) const {
    if (!node.param<bool>("reset_after")) return {};
    return node.name + ": TF.js cannot load a GRU with reset_after=True (Keras's default; Keras reads the file). "
                       "For TF.js, set reset_after=False and train again: the numerics differ.";
}

}  // namespace loom
