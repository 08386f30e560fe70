import Foundation

/// Writing output files atomically: a temporary file `.NAME.tmp-PID-RANDOM` in the same folder,
/// renamed over the target only when complete, so a failed or killed run leaves an existing file
/// untouched, and concurrent runs writing the same file end with one complete file (the last
/// rename wins). A replaced file keeps its permission bits; temporaries that a killed run left
/// behind are removed by the next write to the same target (see `removeStaleTemporaries`), and
/// SIGINT, SIGTERM and SIGHUP remove the temporary being written before the process ends.
public enum OutputFile {
    /// Writes `data` to `path` atomically (see `write(to:_:)`).
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { sink in try data.withUnsafeBytes { try sink.write($0) } }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes the bytes that `body` streams into the sink to `path` atomically: a temporary file
    /// in the same folder, renamed over `path` only after `body` returned and the file was closed,
    /// so a failure leaves an existing file untouched and no half-written one behind. A device or
    /// pipe (/dev/null, /dev/stdout, `<(…)`) is written in place; a symbolic link, also a
    /// dangling one, is followed and the file it names is written, keeping the link.
    public static func write(to path: String, _ body: (inout FileSink) throws -> Void) throws {
        var status = stat()
        // stat follows symbolic links: /dev/stdout is a link to a pipe or terminal.
        if stat(path, &status) == 0 {
            let kind = status.st_mode & S_IFMT
            if kind == S_IFDIR { throw FileError.isDirectory(path) }
            if kind != S_IFREG {
                // Renaming over a device would replace /dev/null itself with a regular file.
                let descriptor = open(path, O_WRONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw FileError.unwritable(path, String(cString: strerror(errno))) }
                var sink = FileSink(descriptor: descriptor, path: path)
                do { try body(&sink); try sink.flush() } catch { close(descriptor); throw error }
                guard close(descriptor) == 0 else { throw FileError.unwritable(path, String(cString: strerror(errno))) }
                return
            }
        }
        let target = try resolveLinks(path)
        var existing = stat()
        let replacing = stat(target, &existing) == 0
        if replacing && existing.st_mode & S_IFMT == S_IFREG && !mayReplace(target, existing) {
            throw FileError.unwritable(path, "the file is read-only for you (mode \(String(existing.st_mode & 0o7777, radix: 8))); it is not replaced — make it writable or remove it first")
        }
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        removeStaleTemporaries(of: name, in: folder.isEmpty ? "." : folder)
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileError.unwritable(path, String(cString: strerror(errno))) }
        TemporaryCleanup.begin(temporary)
        defer { TemporaryCleanup.end() }
        var sink = FileSink(descriptor: descriptor, path: path)
        do {
            try body(&sink)
            try sink.flush()
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        // The permission bits of the file replaced, or 0666 less the umask for a new file.
        let permissions = replacing ? existing.st_mode & 0o7777 : 0o666 & ~currentUmask()
        let chmodded = fchmod(descriptor, permissions) == 0
        let closed = close(descriptor) == 0
        let reason = String(cString: strerror(errno))
        guard chmodded, closed else {
            unlink(temporary)
            throw FileError.unwritable(path, reason)
        }
        guard rename(temporary, target) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError.unwritable(path, why)
        }
    }

    /// The path a chain of symbolic links starting at `path` ends at (the path itself when it is
    /// no link), also when the last target does not exist yet; relative targets are resolved
    /// against the link's folder. More than 32 links (a loop) is an error.
    static func resolveLinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<32 {
            var status = stat()
            guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { throw FileError.unwritable(path, String(cString: strerror(errno))) }
            let link = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link)
        }
        throw FileError.unwritable(path, "too many levels of symbolic links")
    }

    /// Whether an existing file may be replaced: only when it could be written in place, as the
    /// shell's `>` requires (renaming over it needs only the folder's permission, which would let a
    /// run replace a file its user could not write). For root, to whom access(2) allows anything,
    /// a file with no write permission bit at all counts as read-only.
    static func mayReplace(_ target: String, _ status: stat) -> Bool {
        if geteuid() == 0 { return status.st_mode & 0o222 != 0 }
        return access(target, W_OK) == 0
    }

    /// The process's umask (read by setting and restoring it).
    private static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    /// Removes the temporaries `.NAME.tmp-PID-RANDOM` of `name` in `folder` that a killed run of
    /// this program left behind: only names of exactly that form, only regular files owned by this
    /// user, and only when process PID no longer exists (so a concurrent writer's temporary stays).
    public static func removeStaleTemporaries(of name: String, in folder: String) {
        let prefix = ".\(name).tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let parts = entry.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil,
                  parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { continue }
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let full = (folder as NSString).appendingPathComponent(entry)
            var status = stat()
            guard lstat(full, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == getuid() else { continue }
            unlink(full)
        }
    }
}

/// The temporary file being written, removed by a handler of SIGINT, SIGTERM and SIGHUP before
/// the signal ends the process (SIGKILL cannot be handled; `removeStaleTemporaries` reclaims those).
enum TemporaryCleanup {
    /// The path as a C string for the signal handler (nil when no temporary is open).
    nonisolated(unsafe) static var current: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var installed = false

    static func begin(_ path: String) {
        if !installed {
            installed = true
            for number in [SIGINT, SIGTERM, SIGHUP] {
                // A signal the caller ignores (nohup, a background job) stays ignored.
                var old = sigaction()
                guard sigaction(number, nil, &old) == 0,
                      unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) else { continue }
                var action = sigaction()
                action.__sigaction_handler.sa_handler = { received in
                    if let path = TemporaryCleanup.current { unlink(path) }
                    Glibc.signal(received, SIG_DFL)
                    raise(received)
                }
                sigemptyset(&action.sa_mask)
                sigaction(number, &action, nil)
            }
        }
        let previous = current
        current = strdup(path)
        free(previous)
    }

    static func end() {
        let previous = current
        current = nil
        free(previous)
    }
}
