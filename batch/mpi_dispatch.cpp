#include "batch/mpi_dispatch.hpp"

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace khorgos::batch {

namespace {

constexpr int kReportTag = 1; ///< rank -> 0: the finished run (index -1 at first) and its status
constexpr int kWorkTag = 2;   ///< 0 -> rank: the next run index, -1 when there is none

/// A report: the run index (8 bytes), its state (1 byte), then the error text.
std::string encode(std::int64_t index, const RunStatus& status) {
    std::string message(9, '\0');
    std::memcpy(message.data(), &index, 8);
    message[8] = static_cast<char>(status.state);
    return message + status.error;
}

void decode(const std::string& message, std::int64_t& index, RunStatus& status) {
    std::memcpy(&index, message.data(), 8);
    status.state = static_cast<RunStatus::State>(message[8]);
    status.error = message.substr(9);
}

} // namespace

std::vector<std::size_t> dispatch(const MpiSession& mpi, const std::vector<std::size_t>& pending,
                                  const Execute& execute, const Done& done) {
    std::mutex mutex; // guards `next`, `failure`, `by_rank` and the calls of `done`
    std::size_t next = 0;
    std::vector<std::size_t> by_rank(static_cast<std::size_t>(mpi.size()), 0);
    std::exception_ptr failure;
    const auto take = [&]() -> std::int64_t {
        std::lock_guard<std::mutex> lock(mutex);
        return failure || next == pending.size() ? -1 : static_cast<std::int64_t>(pending[next++]);
    };
    const auto finished = [&](std::size_t index, const RunStatus& status, int rank) {
        std::lock_guard<std::mutex> lock(mutex);
        by_rank[static_cast<std::size_t>(rank)] += 1;
        if (failure) return;
        try {
            done(index, status);
        } catch (...) {
            failure = std::current_exception();
        }
    };
    // Rank 0's own share; with one rank it is the only worker, and without
    // thread support the other ranks do all the work.
    std::thread local;
    if (mpi.threads() || mpi.size() == 1)
        local = std::thread([&] {
            for (std::int64_t i; (i = take()) >= 0;)
                finished(static_cast<std::size_t>(i), execute(static_cast<std::size_t>(i)), 0);
        });
    int active = mpi.size() - 1;
    while (active > 0) {
        int flag = 0;
        MPI_Status probe;
        MPI_Iprobe(MPI_ANY_SOURCE, kReportTag, MPI_COMM_WORLD, &flag, &probe);
        if (!flag) {
            // A blocking receive would spin a core that rank 0's own runs need.
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        int count = 0;
        MPI_Get_count(&probe, MPI_CHAR, &count);
        std::string message(static_cast<std::size_t>(count), '\0');
        MPI_Recv(message.data(), count, MPI_CHAR, probe.MPI_SOURCE, kReportTag, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        std::int64_t index = -1;
        RunStatus status;
        decode(message, index, status);
        if (index >= 0) finished(static_cast<std::size_t>(index), status, probe.MPI_SOURCE);
        const std::int64_t work = take();
        MPI_Send(&work, 1, MPI_INT64_T, probe.MPI_SOURCE, kWorkTag, MPI_COMM_WORLD);
        if (work < 0) --active;
    }
    if (local.joinable()) local.join();
    if (failure) std::rethrow_exception(failure);
    return by_rank;
}

void serve(const Execute& execute) {
    std::int64_t index = -1;
    RunStatus status;
    while (true) {
        std::string message = encode(index, status);
        MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, kReportTag,
                 MPI_COMM_WORLD);
        MPI_Recv(&index, 1, MPI_INT64_T, 0, kWorkTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (index < 0) return;
        status = execute(static_cast<std::size_t>(index));
    }
}

} // namespace khorgos::batch
