import Foundation
import Vapor

/// Limits sign-in attempts per client address (in memory, per process). Per-account lockout
/// lives in the database (`users.locked_until`) so it holds across processes.
actor LoginThrottle {
    private var attempts: [String: [Date]] = [:]
    let limit: Int
    let window: TimeInterval

    init(limit: Int = 20, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    /// Records an attempt; returns false when the address is over its limit.
    func allow(_ address: String, now: Date = Date()) -> Bool {
        let recent = (attempts[address] ?? []).filter { now.timeIntervalSince($0) < window }
        guard recent.count < limit else {
            attempts[address] = recent
            return false
        }
        attempts[address] = recent + [now]
        if attempts.count > 10_000 { attempts = attempts.filter { !($0.value.last.map { now.timeIntervalSince($0) >= window } ?? true) } }
        return true
    }

    func reset() { attempts = [:] }
}
