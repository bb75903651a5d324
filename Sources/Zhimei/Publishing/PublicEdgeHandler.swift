import Foundation
import NIOCore
import NIOHTTP1
import Vapor

/// One connection of the public edge port. A cached answer is written straight from its pre-encoded bytes; anything
/// else under /site/ or /api/v1/public/ is handed to the Vapor application in-process (without cookies or
/// credentials: this port is public-only) and its answer written back. Answers leave in request order, so pipelined
/// requests work even when a miss is still being rendered behind a hit.
final class PublicEdgeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    /// An answer waiting for its turn: nil while its miss is being rendered.
    private struct Slot {
        var buffers: [ByteBuffer]?
        var close: Bool
    }

    private let edge: PublicEdgeServer
    private var clock = PublicEdgeClock()
    private var slots: [Slot] = []
    private var firstSequence = 0
    private var nextSequence = 0
    /// Set once an answer that closes the connection is queued: later requests on it are ignored.
    private var closing = false
    private var needsFlush = false
    private var active = true

    /// More rendered-but-unsent answers than this on one connection and the client is not reading: drop it.
    static let maxPipelined = 64
    private static let connectionClose = ByteBuffer(string: "connection: close\r\n")

    init(edge: PublicEdgeServer) {
        self.edge = edge
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !closing else { return }   // bodies are refused at the head
        let close = !head.isKeepAlive || head.version.minor == 0   // HTTP/1.0: one answer, then close
        if let error = Self.refusal(head) {
            queue(context, PublicEdgeWire.error(error.status, code: error.code, zh: error.zh, en: error.en, date: clock.dateLine(), close: true), close: true)
            return
        }
        if let slug = PublicCacheResponder.tenantSlug(head.uri), let entry = edge.cache.servable(tenant: slug, key: head.uri) {
            edge.countHit()
            queue(context, hit(entry, head, close: close), close: close)
        } else {
            edge.countMiss()
            bridge(context, head, close: close)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        slots.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)   // idle keep-alive connection
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard active, !closing else { return }
        // A malformed request (or headers over the limit): answer it, in order, and close.
        let (status, code, zh, en): (HTTPResponseStatus, String, String, String)
        if case .headerOverflow? = error as? HTTPParserError {
            (status, code, zh, en) = (.requestHeaderFieldsTooLarge, "headers_too_large", "请求头过大", "Request headers are too large")
        } else if error is HTTPParserError {
            (status, code, zh, en) = (.badRequest, "bad_request", "请求格式错误", "Malformed HTTP request")
        } else {
            context.close(promise: nil)
            return
        }
        queue(context, PublicEdgeWire.error(status, code: code, zh: zh, en: en, date: clock.dateLine(), close: true), close: true)
        needsFlush = false
        context.flush()
    }

    // MARK: Answers

    /// Bad requests this port refuses before any lookup (each closes the connection).
    static func refusal(_ head: HTTPRequestHead) -> AppError? {
        if head.headers.contains(name: .transferEncoding)
            || head.headers[.contentLength].contains(where: { $0.trimmingCharacters(in: .whitespaces) != "0" }) {
            return AppError(.payloadTooLarge, "body_not_accepted", zh: "公开站点不接受请求正文", en: "The public site does not accept request bodies")
        }
        guard head.method == .GET || head.method == .HEAD else {
            return AppError(.methodNotAllowed, "method_not_allowed", zh: "公开站点只接受 GET 和 HEAD 请求", en: "The public site accepts only GET and HEAD")
        }
        guard head.uri.utf8.count <= PublicSiteCache.maxKeyLength else {
            return AppError(.uriTooLong, "uri_too_long", zh: "网址过长（最多 \(PublicSiteCache.maxKeyLength) 字节）",
                            en: "The URL is too long (at most \(PublicSiteCache.maxKeyLength) bytes)")
        }
        guard PublicCacheResponder.tenantSlug(head.uri) != nil else {
            return AppError(.notFound, "not_found", zh: "此端口只提供公开站点（/site/）和内容接口（/api/v1/public/）",
                            en: "This port serves only the public site (/site/) and the content API (/api/v1/public/)")
        }
        return nil
    }

    /// The pre-encoded answer for a cached entry: 304 when If-None-Match matches, no body for HEAD.
    private func hit(_ entry: PublicSiteCache.Entry, _ head: HTTPRequestHead, close: Bool) -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        out.reserveCapacity(4)
        let notModified = entry.status == .ok && head.headers.first(name: .ifNoneMatch).map { Self.matches($0, entry.etag) } == true
        out.append(notModified ? entry.wire.notModifiedHead : entry.wire.head)
        if close { out.append(Self.connectionClose) }
        out.append(clock.dateLine())
        if !notModified && head.method != .HEAD && entry.body.readableBytes > 0 { out.append(entry.body) }
        return out
    }

    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let tag = part.trimmingCharacters(in: .whitespaces)
            return tag == etag || tag == "*"
        }
    }

    /// A miss: the Vapor application renders (and caches) the answer as on the main port, without editorial sessions.
    private func bridge(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, close: Bool) {
        let sequence = reserve(close: close)
        var headers = head.headers
        headers.remove(name: .cookie)
        headers.remove(name: .authorization)
        let app = edge.app
        let request = Request(application: app, method: head.method, url: URI(path: head.uri), version: head.version,
                              headersNoUpdate: headers, remoteAddress: context.channel.remoteAddress, logger: app.logger,
                              byteBufferAllocator: context.channel.allocator, on: context.eventLoop)
        let isHead = head.method == .HEAD
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        app.responder.current.respond(to: request)
            .flatMap { response in response.body.collect(on: request.eventLoop).map { (response, $0) } }
            .hop(to: context.eventLoop)
            .whenComplete { result in
                let (handler, context) = bound.value
                let date = handler.clock.dateLine()
                let buffers: [ByteBuffer]
                switch result {
                case .success(let (response, body)):
                    let body = body ?? ByteBuffer()
                    let status = response.status
                    let noBody = isHead || status == .notModified || status == .noContent || status.code < 200
                    buffers = [PublicEdgeWire.encodeHead(status: status, headers: response.headers, contentLength: status == .notModified ? nil : body.readableBytes, close: close),
                               date] + (noBody || body.readableBytes == 0 ? [] : [body])
                case .failure(let error):
                    app.logger.report(error: error)
                    buffers = PublicEdgeWire.error(.internalServerError, code: "internal", zh: "服务器内部错误", en: "Internal server error", date: date, close: close)
                }
                handler.fill(context, sequence: sequence, buffers)
            }
    }

    // MARK: Ordering

    private func reserve(close: Bool) -> Int {
        if close { closing = true }
        slots.append(Slot(buffers: nil, close: close))
        defer { nextSequence += 1 }
        return nextSequence
    }

    /// Queues a ready answer behind the answers still being rendered, or writes it now when none are.
    private func queue(_ context: ChannelHandlerContext, _ buffers: [ByteBuffer], close: Bool) {
        if close { closing = true }
        if slots.isEmpty {
            firstSequence += 1; nextSequence += 1
            write(context, buffers, close: close)
            return
        }
        slots.append(Slot(buffers: buffers, close: close))
        nextSequence += 1
        if slots.count > Self.maxPipelined { context.close(promise: nil) }
    }

    private func fill(_ context: ChannelHandlerContext, sequence: Int, _ buffers: [ByteBuffer]) {
        guard active, sequence >= firstSequence, sequence - firstSequence < slots.count else { return }
        slots[sequence - firstSequence].buffers = buffers
        while let first = slots.first, let ready = first.buffers {
            slots.removeFirst()
            firstSequence += 1
            write(context, ready, close: first.close)
            if first.close { slots.removeAll(); break }
        }
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    private func write(_ context: ChannelHandlerContext, _ buffers: [ByteBuffer], close: Bool) {
        guard active else { return }
        for buffer in buffers { context.write(wrapOutboundOut(buffer), promise: nil) }
        if close {
            active = false
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: written)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
        } else {
            needsFlush = true
        }
    }
}
