// The generated data of keras.io's lstm_seq2seq template: sequences copied by an encoder and
// a decoder, one-hot as the example's characters are.
#include <random>

#include "data/synthetic_samples.h"

namespace loom {

namespace {

constexpr std::int64_t kDigits = 10;       ///< the encoder's tokens
constexpr std::int64_t kLength = 8;        ///< digits in a sequence
constexpr std::int64_t kDecoderTokens = kDigits + 2;  ///< the digits, then start and end
constexpr std::int64_t kStart = kDigits, kEnd = kDigits + 1;

}  // namespace

std::map<std::string, NpyArray> copyTaskArchive(std::int64_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    NpyArray encoder{{count, kLength, kDigits}, {}}, decoder{{count, kLength + 1, kDecoderTokens}, {}},
        target{{count, kLength + 1, kDecoderTokens}, {}};
    encoder.values.assign(static_cast<std::size_t>(count * kLength * kDigits), 0.0f);
    decoder.values.assign(static_cast<std::size_t>(count * (kLength + 1) * kDecoderTokens), 0.0f);
    target.values.assign(decoder.values.size(), 0.0f);
    const auto hot = [](NpyArray& a, std::int64_t sample, std::int64_t step, std::int64_t token) {
        a.values[static_cast<std::size_t>((sample * a.shape[1] + step) * a.shape[2] + token)] = 1.0f;
    };
    for (std::int64_t i = 0; i < count; ++i) {
        std::int64_t digits[kLength];
        for (std::int64_t& d : digits) d = static_cast<std::int64_t>(rng() % kDigits);
        // The decoder reads the start token and the copy so far (teacher forcing, as the
        // example trains), and is to write the copy, then the end token.
        hot(decoder, i, 0, kStart);
        for (std::int64_t t = 0; t < kLength; ++t) {
            hot(encoder, i, t, digits[t]);
            hot(decoder, i, t + 1, digits[t]);
            hot(target, i, t, digits[t]);
        }
        hot(target, i, kLength, kEnd);
    }
    return {{"encoder_inputs", std::move(encoder)}, {"decoder_inputs", std::move(decoder)},
            {"decoder_dense", std::move(target)}};
}

}  // namespace loom
