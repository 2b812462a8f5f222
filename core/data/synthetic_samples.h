#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/npy.h"

namespace loom {

/// Built-in sets of samples already cut for a model, made like the datasets of the keras.io
/// examples so that their templates train offline; each repeatable for a seed. The source
/// `synthetic:NAME` names one; `count` is how many samples it makes.
///   addition  sums of two numbers below 1000 as characters, one-hot over " +0123456789":
///             the question reversed and padded to 7, x (count, 7, 12); the answer padded to 4,
///             y (count, 4, 12) (addition_rnn's own data, made the way it makes it)
///   reviews   made-up movie reviews as token ids below 20000, pre-padded with 0 to 200 and
///             starting with 1 as keras.datasets.imdb's do, x (count, 200); the sentiment its
///             words carry, y (count,) 0 or 1 (in place of IMDB)
///   engine    engine noise of 500 steps, each sample scaled to mean 0 and deviation 1, x
///             (count, 500, 1); whether a faint fault tone runs through it, y (count,) 0 or 1
///             (in place of FordA)
///   text      windows of 40 characters of made-up English sentences, every 3 characters,
///             one-hot over 33 characters ("\n !,.;?a-z"), x (count, 40, 33); the character
///             that follows each, y (count, 33) (in place of Nietzsche's writings)
///   weather   120 hours of 7 standardised weather features (pressure, temperature, vapour
///             pressures, humidity, air density, wind), x (count, 120, 7), a window every hour;
///             the temperature 12 hours after each window, y (count, 1) (in place of the Jena
///             climate record)
///   eeg       EEG recordings of 512 steps, each min-max scaled to [0, 1], x (count, 512, 1);
///             which of 19 stimuli it was recorded under, one-hot, y (count, 19), the stimuli
///             as unevenly common as in the Berkeley Biosense recordings
/// Throws DataError for an unknown name or a count below 1.
Dataset syntheticSamples(const std::string& name, std::int64_t count, std::uint64_t seed);
const std::vector<std::string>& syntheticSampleNames();
/// Whether `source` is `synthetic:NAME` of a sample set (or of an archive below) rather than
/// of a series.
bool isSyntheticSampleSet(const std::string& source);

/// Built-in sets whose samples come as named arrays, one per Input, and `y`, as an .npz archive
/// holds them, for models with several Inputs:
///   transactions  payment card transactions as the 14 features of keras.io's fraud detection
///             example, each (count, 1) and standardised: the sum and count of the terminal's
///             transactions over 7, 14 and 28 days, the count and rate of its fraud known a
///             week later over the same days, the hour and the day of the week; whether the
///             transaction is fraud, y (count, 1), one in five as the example resamples them
///             (in place of the book's simulated transactions)
///   copy      keras.io's lstm_seq2seq with a copy task in place of its translations: 8 random
///             digits one-hot, encoder_inputs (count, 8, 10); the decoder reads a start token
///             and the digits, decoder_inputs (count, 9, 12), and is to write the digits and
///             an end token, decoder_dense (count, 9, 12)
/// Throws DataError for an unknown name or a count below 1.
std::map<std::string, NpyArray> syntheticArchive(const std::string& name, std::int64_t count, std::uint64_t seed);
const std::vector<std::string>& syntheticArchiveNames();
bool isSyntheticArchive(const std::string& source);
/// The copy archive (see syntheticArchive), `count` samples from `seed`.
std::map<std::string, NpyArray> copyTaskArchive(std::int64_t count, std::uint64_t seed);
/// The names of the transactions archive's 14 features, in the example's order.
std::vector<std::string> transactionFeatureNames();

}  // namespace loom
