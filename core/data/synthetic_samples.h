#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

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
/// Whether `source` is `synthetic:NAME` of a sample set rather than of a series.
bool isSyntheticSampleSet(const std::string& source);

}  // namespace loom
