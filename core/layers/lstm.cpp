#include "layers/lstm.h"

namespace loom {

const std::vector<ParamSpec>& LstmSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        auto p = commonParams();
        p.push_back({.name = "unit_forget_bias", .type = ParamType::Bool, .defaultValue = true,
                     .help = "Start the forget gate's bias at 1, as Keras does."});
        return p;
    }();
    return schema;
}

std::vector<ParamShape> LstmSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    // Keras: the bias initialiser's values, then ones for the forget gate with unit_forget_bias.
    ParamShape bias{"bias", {4 * u}};
    bias.forgetGateOnes = node.param<bool>("unit_forget_bias");
    return gateWeights(node, inputs.front().back(), 4, std::move(bias));
}

std::vector<std::string_view> LstmSpec::pytorchClasses() const {
    return {R"PY(class KerasLSTM(nn.Module):
    """Keras's LSTM: gates i, f, c, o in blocks of `units` columns; kernel (in, 4u),
    recurrent_kernel (u, 4u), one bias (4u); `act` on the candidate and the cell output.
    With return_state it gives the output, h and c; h0 and c0 are Keras's initial_state."""

    def __init__(self, inputs, units, act, rec, use_bias, return_sequences, dropout=0.0, recurrent_dropout=0.0,
                 go_backwards=False, return_state=False):
        super().__init__()
        self.units = units
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        self.kernel = nn.Parameter(torch.empty(inputs, 4 * units))
        self.recurrent_kernel = nn.Parameter(torch.empty(units, 4 * units))
        self.bias = nn.Parameter(torch.zeros(4 * units)) if use_bias else None
        self.act, self.rec = activation(act), activation(rec)
        self.return_sequences, self.go_backwards = return_sequences, go_backwards
        self.return_state = return_state
        nn.init.xavier_uniform_(self.kernel)
        nn.init.orthogonal_(self.recurrent_kernel)
        if self.bias is not None:
            with torch.no_grad():
                self.bias[units:2 * units] = 1.0  # unit_forget_bias

    def forward(self, x, h0=None, c0=None):
        if self.go_backwards:  # read from the last step; outputs stay in reading order
            x = torch.flip(x, [1])
        u = self.units
        xm = dropout_mask(x, x.shape[0], x.shape[2], self.dropout, self.training)
        hm = dropout_mask(x, x.shape[0], u, self.recurrent_dropout, self.training)
        xs = (x if xm is None else x * xm[:, None, :]) @ self.kernel
        if self.bias is not None:
            xs = xs + self.bias
        h = x.new_zeros(x.shape[0], u) if h0 is None else h0
        c = x.new_zeros(x.shape[0], u) if c0 is None else c0
        out = []
        for t in range(x.shape[1]):
            z = xs[:, t] + (h if hm is None else h * hm) @ self.recurrent_kernel
            i = self.rec(z[:, :u])
            f = self.rec(z[:, u:2 * u])
            g = self.act(z[:, 2 * u:3 * u])
            o = self.rec(z[:, 3 * u:])
            c = f * c + i * g
            h = o * self.act(c)
            out.append(h)
        y = torch.stack(out, dim=1) if self.return_sequences else h
        return (y, h, c) if self.return_state else y
)PY"};
}

}  // namespace loom
