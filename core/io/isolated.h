#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string>

namespace loom {

/// Work done in a child process came to no answer: it crashed, ran out of time, or threw.
class IsolatedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The caller asked the work to stop (a Cancel button); nothing came of it.
class Cancelled : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Runs `work` in a child process and returns what it returned. For reading hostile files
/// with a library that can hang or crash on them (libhdf5): the child takes the fault with
/// it, and the caller gets an IsolatedError instead. An exception `work` throws comes back as
/// an IsolatedError with its message; a child still busy after `limit` is killed. `what`
/// names the work in messages ("reading model.h5"). When `stop` is requested the child is
/// killed at once and Cancelled thrown.
std::string runIsolated(const std::function<std::string()>& work, std::chrono::seconds limit, const std::string& what,
                        std::stop_token stop = {});

}  // namespace loom
