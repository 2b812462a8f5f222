#include "layers/simple_rnn.h"

#include <algorithm>

namespace loom {

const std::vector<ParamSpec>& SimpleRnnSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        auto p = commonParams();
        std::erase_if(p, [](const ParamSpec& s) { return s.name == "recurrent_activation"; });
        for (ParamSpec& s : p) {
            if (s.name == "activation") s.help = "Applied to the state at every step.";
        }
        return p;
    }();
    return schema;
}

std::vector<ParamShape> SimpleRnnSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    return gateWeights(node, inputs.front().back(), 1, {"bias", {u}});
}

std::int64_t SimpleRnnSpec::trainingCache(const Node&, std::span<const Dims> inputs, const Dims& output) const {
    const Dims& in = inputs.front();
    return 2 * (in.size() == 2 ? in[0] : 1) * output.back();
}

std::vector<std::string_view> SimpleRnnSpec::pytorchClasses() const {
    return {R"PY(class KerasSimpleRNN(nn.Module):
    """Keras's SimpleRNN: h' = act(x W + h U + b); kernel (in, u), recurrent_kernel (u, u). With
    return_state it gives the output and h; h0 is Keras's initial_state."""

    def __init__(self, inputs, units, act, use_bias, return_sequences, dropout=0.0, recurrent_dropout=0.0,
                 go_backwards=False, return_state=False):
        super().__init__()
        self.units = units
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        self.kernel = nn.Parameter(torch.empty(inputs, units))
        self.recurrent_kernel = nn.Parameter(torch.empty(units, units))
        self.bias = nn.Parameter(torch.zeros(units)) if use_bias else None
        self.act = activation(act)
        self.return_sequences, self.go_backwards = return_sequences, go_backwards
        self.return_state = return_state
        nn.init.xavier_uniform_(self.kernel)
        nn.init.orthogonal_(self.recurrent_kernel)

    def forward(self, x, h0=None):
        if self.go_backwards:  # read from the last step; outputs stay in reading order
            x = torch.flip(x, [1])
        xm = dropout_mask(x, x.shape[0], x.shape[2], self.dropout, self.training)
        hm = dropout_mask(x, x.shape[0], self.units, self.recurrent_dropout, self.training)
        xs = (x if xm is None else x * xm[:, None, :]) @ self.kernel
        if self.bias is not None:
            xs = xs + self.bias
        h = x.new_zeros(x.shape[0], self.units) if h0 is None else h0
        out = []
        for t in range(x.shape[1]):
            h = self.act(xs[:, t] + (h if hm is None else h * hm) @ self.recurrent_kernel)
            out.append(h)
        y = torch.stack(out, dim=1) if self.return_sequences else h
        return (y, h) if self.return_state else y
)PY"};
}

}  // namespace loom
