#pragma once
// The one exception hierarchy of khorgos. InputError is anything the user can
// fix in a file or on the command line (exit code 2); everything else is a
// RuntimeError (exit code 1).
#include <stdexcept>
#include <string>

namespace khorgos {

/// Bad input: names the file, the line and column (0 when unknown) and the key.
class InputError : public std::runtime_error {
  public:
    InputError(std::string file, int line, int column, std::string key, const std::string& message)
        : std::runtime_error(format(file, line, column, key, message)), file_(std::move(file)),
          line_(line), column_(column), key_(std::move(key)), message_(message) {}
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    int column() const { return column_; }
    const std::string& key() const { return key_; }
    /// The message alone, without the address.
    const std::string& message() const { return message_; }

  private:
    static std::string format(const std::string& file, int line, int column, const std::string& key,
                              const std::string& message) {
        std::string where = file.empty() ? std::string("<input>") : file;
        if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(column);
        return where + ": " + (key.empty() ? std::string() : "key '" + key + "': ") + message;
    }
    std::string file_;
    int line_;
    int column_;
    std::string key_;
    std::string message_;
};

/// A failure that is not the user's input (I/O, HDF5, an internal invariant).
class RuntimeError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace khorgos
