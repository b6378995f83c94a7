#include "io/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace khorgos::interrupt {

namespace {

constexpr int kSlots = 16;
constexpr std::size_t kPathMax = 4096;

// A guarded path: `state` 0 free, 1 claimed (being filled), 2 ready (the
// handler may read `path` and remove the file).
struct Slot {
    std::atomic<int> state{0};
    char path[kPathMax];
};
Slot g_slots[kSlots];
std::atomic<int> g_deferred{0};
std::atomic<int> g_pending{0};
std::atomic<long> g_committed{0};
std::atomic<bool> g_installed{false};
char g_resume[1024] = {0}; ///< how to resume, written once before the handlers are installed
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");
static_assert(std::atomic<long>::is_always_lock_free, "the signal handler needs lock-free atomics");

void say(const char* text) {
    const std::size_t n = std::strlen(text);
    std::size_t done = 0;
    while (done < n) {
        const ssize_t w = ::write(STDERR_FILENO, text + done, n - done);
        if (w <= 0) break;
        done += static_cast<std::size_t>(w);
    }
}

void say(long number) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + number % 10);
        number /= 10;
    } while (number > 0 && n < 23);
    char text[24];
    for (int i = 0; i < n; ++i)
        text[i] = digits[n - 1 - i];
    text[n] = '\0';
    say(text);
}

const char* signal_name(int sig) {
    switch (sig) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    default:
        return "a signal";
    }
}

/// Removes every guarded temporary file, reports and exits. Async-signal-safe.
[[noreturn]] void finish(int sig) {
    for (auto& slot : g_slots)
        if (slot.state.load() == 2) ::unlink(slot.path);
    say("\nkhorgos: interrupted (");
    say(signal_name(sig));
    const long committed = g_committed.load();
    if (committed == 0) {
        say("): the run was stopped and nothing was written\n");
    } else {
        say("): unfinished output was removed; the output completed before is kept (");
        say(committed);
        say(" file(s) written)\n");
    }
    if (g_resume[0]) {
        say("khorgos: to finish the work, run: ");
        say(g_resume);
        say("\n");
    }
    ::_exit(128 + sig);
}

extern "C" void on_signal(int sig) {
    g_pending.store(sig);
    if (g_deferred.load() == 0) {
        const int s = g_pending.exchange(0);
        if (s) finish(s);
    }
}

} // namespace

void install(const std::string& resume_command) {
    if (g_installed.exchange(true)) return;
    std::strncpy(g_resume, resume_command.c_str(), sizeof g_resume - 1);
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP})
        sigaddset(&action.sa_mask, s);
    for (int s : {SIGINT, SIGTERM, SIGHUP})
        ::sigaction(s, &action, nullptr);
    ::signal(SIGXFSZ, SIG_IGN);
}

TemporaryFile::~TemporaryFile() {
    if (slot_ >= 0) g_slots[slot_].state.store(0);
}

void TemporaryFile::guard(const std::string& temporary_path) {
    if (slot_ >= 0 || temporary_path.size() >= kPathMax) return;
    for (int i = 0; i < kSlots; ++i) {
        int expected = 0;
        if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
            std::memcpy(g_slots[i].path, temporary_path.c_str(), temporary_path.size() + 1);
            g_slots[i].state.store(2);
            slot_ = i;
            return;
        }
    }
}

void TemporaryFile::committed() {
    if (slot_ < 0) return;
    g_committed.fetch_add(1);
    g_slots[slot_].state.store(0);
    slot_ = -1;
}

void output_completed() {
    g_committed.fetch_add(1);
}

Deferred::Deferred() {
    g_deferred.fetch_add(1);
}

Deferred::~Deferred() {
    // The last section to end (of any thread) delivers a waiting signal.
    if (g_deferred.fetch_sub(1) == 1)
        if (const int s = g_pending.exchange(0)) finish(s);
}

} // namespace khorgos::interrupt
