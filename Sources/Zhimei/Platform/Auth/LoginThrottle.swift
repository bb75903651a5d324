import Foundation
import Vapor

/// Limits attempts per client address (in memory, per process). For sign-in only FAILED attempts count, so a
/// newsroom whose staff share one NAT address can all sign in at shift change. Per-account lockout
/// lives in the database (`users.locked_until`) so it holds across processes.
actor LoginThrottle {
    private var attempts: [String: [Date]] = [:]
    let limit: Int
    let window: TimeInterval

    init(limit: Int = 20, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    /// Records an attempt; returns false when the address is over its limit (every attempt counts — for webhooks).
    func allow(_ address: String, now: Date = Date()) -> Bool {
        guard !isBlocked(address, now: now) else { return false }
        record(address, now: now)
        return true
    }

    /// True when the address already has `limit` recorded attempts within the window (records nothing).
    func isBlocked(_ address: String, now: Date = Date()) -> Bool {
        let recent = (attempts[address] ?? []).filter { now.timeIntervalSince($0) < window }
        attempts[address] = recent.isEmpty ? nil : recent
        return recent.count >= limit
    }

    /// Counts one attempt (for sign-in: one failed attempt).
    func record(_ address: String, now: Date = Date()) {
        attempts[address, default: []].append(now)
        if attempts.count > 10_000 { attempts = attempts.filter { !($0.value.last.map { now.timeIntervalSince($0) >= window } ?? true) } }
    }

    func reset() { attempts = [:] }
}
