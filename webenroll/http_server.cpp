#include "webenroll/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <httplib.h>

#include "ca/errors.hpp"
#include "webenroll/http_date.hpp"
#include "webenroll/ocsp_http.hpp"

namespace pkilab::web {

namespace {

using httplib::Request;
using httplib::Response;
using Routed = httplib::Server::HandlerResponse;

constexpr std::size_t kMaxRequestBody = 64 * 1024;        // OCSP requests are a few hundred bytes
constexpr std::size_t kKeepAliveRequests = 10'000;         // httplib's default of 5 costs a connect per 5
constexpr std::size_t kCopyBelow = 64 * 1024;              // smaller bodies are copied, larger ones streamed
constexpr std::size_t kWriteChunk = 1024 * 1024;
constexpr int kListenBacklog = 1024;                       // httplib listens with 5
constexpr Duration::rep kCaCertificateMaxAge = 24 * 3600;  // CA certificates change at renewal only

// httplib's socket is protected; the backlog it listens with is compiled into Debian's library.
class BacklogServer : public httplib::Server {
public:
    void widen_backlog() {
        // listen() again on a listening socket changes its backlog (Linux).
        if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, kListenBacklog);
    }
};

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string regex_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::strchr(".^$|()[]{}*+?\\", c) != nullptr) out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

void plain(Response& res, int status, const std::string& text) {
    res.status = status;
    res.set_content(text + "\n", "text/plain; charset=utf-8");
}

// If-None-Match (a list of entity tags or "*", compared weakly as RFC 7232 section 3.2 says),
// else If-Modified-Since.
bool not_modified(const Request& req, const FileSnapshot& s) {
    const size_t inm = req.get_header_value_count("If-None-Match");
    if (inm > 0) {
        const std::string_view ours = std::string_view(s.etag);
        for (size_t i = 0; i < inm; ++i) {
            const std::string v = req.get_header_value("If-None-Match", i);
            size_t pos = 0;
            while (pos < v.size()) {
                size_t end = v.find(',', pos);
                if (end == std::string::npos) end = v.size();
                std::string_view tag = std::string_view(v).substr(pos, end - pos);
                while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
                while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
                if (tag == "*") return true;
                if (starts_with(tag, "W/")) tag.remove_prefix(2);
                if (tag == ours) return true;
                pos = end + 1;
            }
        }
        return false;
    }
    if (req.has_header("If-Modified-Since")) {
        const auto since = parse_http_date(req.get_header_value("If-Modified-Since"));
        return since && s.mtime <= *since;
    }
    return false;
}

// Formatted once a second per thread: every response carries it.
const std::string& http_date_now(Time now) {
    thread_local Time formatted_at{};
    thread_local std::string text;
    if (now != formatted_at || text.empty()) {
        text = format_http_date(now.time_since_epoch().count());
        formatted_at = now;
    }
    return text;
}

void access_log_line(const Request& req, const Response& res) {
    const size_t bytes = !res.body.empty() ? res.body.size() : res.content_length_;
    std::string line = "pkilab serve: " + req.remote_addr + " \"" + req.method + " " + req.path + "\" " +
                       std::to_string(res.status) + " " + std::to_string(bytes) + "\n";
    // One write: lines from concurrent requests do not interleave, and no lock is shared.
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    (void)n;
}

}  // namespace

Endpoint parse_endpoint(std::string_view text, std::string_view option) {
    const std::string where(option);
    const std::string hint = "write ADDRESS:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:80 or [::1]:8080 (port 0: any free port)";
    Endpoint e;
    std::string_view port;
    if (starts_with(text, "[")) {
        const size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw InputError(where, std::string(text), "not [IPV6]:PORT", hint);
        e.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else {
        const size_t colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            throw InputError(where, std::string(text), "not ADDRESS:PORT", hint);
        e.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    }
    if (e.host.empty()) throw InputError(where, std::string(text), "the address is missing", hint);
    int value = -1;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535)
        throw InputError(where, std::string(text), "the port is not a number from 0 to 65535", hint);
    e.port = value;
    return e;
}

std::string endpoint_url(const Endpoint& e) {
    const bool v6 = e.host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

struct HttpServer::Impl {
    const Lab& lab;
    const PublishedFiles& files;
    std::vector<std::string> ocsp_paths;
    OcspAnswer ocsp;
    ServeOptions options;
    BacklogServer server;
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> finished{false};

    Impl(const Lab& l, const PublishedFiles& f, std::vector<std::string> paths, OcspAnswer answer, ServeOptions o)
        : lab(l), files(f), ocsp_paths(std::move(paths)), ocsp(std::move(answer)), options(std::move(o)) {
        configure();
    }

    void configure() {
        const std::size_t threads = std::max<std::size_t>(options.threads, 2);
        server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        server.set_keep_alive_max_count(kKeepAliveRequests);
        server.set_keep_alive_timeout(5);
        server.set_read_timeout(10);
        server.set_write_timeout(30);
        server.set_payload_max_length(kMaxRequestBody);
        server.set_tcp_nodelay(true);
        // httplib's default also sets SO_REUSEPORT, which would let a second server bind the
        // same port and silently take half the connections.
        server.set_socket_options([](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
            ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        });

        // GET and HEAD are routed here by exact path, without httplib's regex table: a request
        // body (which a GET does not have) would be read only after this, so those go on.
        server.set_pre_routing_handler([this](const Request& req, Response& res) {
            if (req.method != "GET" && req.method != "HEAD") return Routed::Unhandled;
            if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) return Routed::Unhandled;
            // httplib leaves the body out of the answer to HEAD, keeping its Content-Length.
            route_get(req, res);
            return Routed::Handled;
        });
        server.Get(".*", [](const Request& req, Response& res) { plain(res, 404, "not found: " + req.path); });
        for (const auto& path : ocsp_paths)
            server.Post(regex_escape(path) + "/?", [this](const Request& req, Response& res) { ocsp_post(req, res); });

        httplib::Server::HandlerWithResponse errors = [](const Request&, Response& res) {
            if (!res.body.empty() || res.content_provider_) return Routed::Unhandled;
            const char* text = res.status == 404   ? "not found"
                               : res.status == 413 ? "request too large"
                               : res.status == 400 ? "bad request"
                                                   : "error";
            plain(res, res.status, text);
            return Routed::Handled;
        };
        server.set_error_handler(errors);
        // RFC 7231 7.1.1.2: an origin server with a clock sends Date. The real time, not the lab
        // clock's: it dates the HTTP message, and caches age responses by it.
        server.set_post_routing_handler([this](const Request&, Response& res) {
            res.set_header("Date", http_date_now(lab.base_clock().now()));
        });
        if (options.access_log) server.set_logger(access_log_line);
    }

    void route_get(const Request& req, Response& res) {
        if (const PublishedFile* f = files.find(req.path)) return serve_file(*f, req, res);
        for (const auto& path : ocsp_paths) {
            if (req.path == path || req.path == path + "/") return ocsp_reply(res, ocsp(ByteView{}), true);
            if (starts_with(req.path, path + "/")) {
                const Bytes request = decode_ocsp_get(std::string_view(req.path).substr(path.size() + 1));
                return ocsp_reply(res, ocsp(request), true);
            }
        }
        plain(res, 404, "not found: " + req.path);
    }

    std::string cache_control(const PublishedFile& f) const {
        if (f.location().what == crl::Artifact::CaCertificate)
            return "max-age=" + std::to_string(kCaCertificateMaxAge);
        const auto next = f.next_update();
        if (!next) return "no-cache";
        // Until the CRL's nextUpdate by the lab clock, which may run ahead of real time.
        return "max-age=" + std::to_string(std::max<Duration::rep>(0, (*next - lab.clock().now()).count()));
    }

    void serve_file(const PublishedFile& f, const Request& req, Response& res) {
        std::shared_ptr<const FileSnapshot> s;
        try {
            s = f.current();
        } catch (const Error& e) {
            plain(res, 500, e.what());
            return;
        }
        if (!s) {
            res.set_header("Cache-Control", "no-cache");
            plain(res, 404,
                  "not published yet: the " + std::string(crl::to_string(f.location().what)) + " of CA " + f.location().ca);
            return;
        }
        res.set_header("ETag", s->etag);
        res.set_header("Last-Modified", s->last_modified);
        res.set_header("Cache-Control", cache_control(f));
        if (not_modified(req, *s)) {
            res.status = 304;
            // The 200's length, as RFC 7230 section 3.3.2 allows; httplib would otherwise say 0.
            res.set_header("Content-Length", std::to_string(s->bytes->size()));
            return;
        }
        // The status is left to httplib: 200, or 206 for a Range request (a client resuming a
        // large CRL), which it then answers with the part asked for.
        const char* type = crl::content_type(f.location().what);
        if (s->bytes->size() < kCopyBelow) {
            res.set_content(*s->bytes, type);
            return;
        }
        // The shared buffer is kept alive by the provider until the response is written.
        std::shared_ptr<const std::string> body = s->bytes;
        res.set_content_provider(body->size(), type, [body](size_t offset, size_t length, httplib::DataSink& sink) {
            return sink.write(body->data() + offset, std::min(length, kWriteChunk));
        });
    }

    void ocsp_post(const Request& req, Response& res) {
        ocsp_reply(res, ocsp(as_bytes(req.body)), false);
    }

    void ocsp_reply(Response& res, const crl::OcspResponder::Reply& reply, bool get) {
        // Only GET responses may be cached (RFC 5019 section 5); a POST is answered afresh.
        if (get) res.set_header("Cache-Control", ocsp_cache_control(reply.status, reply.next_update, lab.clock().now()));
        // A request we cannot read is the client's error at the HTTP level too; the body still
        // says malformedRequest for clients that read OCSP bodies only.
        if (reply.status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) res.status = 400;
        res.set_content(reinterpret_cast<const char*>(reply.der.data()), reply.der.size(), kOcspResponseType);
    }
};

HttpServer::HttpServer(const Lab& lab, const PublishedFiles& files, std::vector<std::string> ocsp_paths, OcspAnswer ocsp,
                       ServeOptions options)
    : impl_(std::make_unique<Impl>(lab, files, std::move(ocsp_paths), std::move(ocsp), std::move(options))) {}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
    const Endpoint& e = impl_->options.http;
    errno = 0;
    int port = e.port;
    bool ok = false;
    if (e.port == 0) {
        port = impl_->server.bind_to_any_port(e.host);
        ok = port > 0;
    } else {
        ok = impl_->server.bind_to_port(e.host, e.port);
    }
    if (!ok) {
        const int err = errno;
        throw InputError("--http", endpoint_url(e),
                         std::string("cannot listen there") + (err != 0 ? std::string(": ") + std::strerror(err) : ""),
                         "choose a free port and an address of this machine (127.0.0.1, 0.0.0.0, [::1])");
    }
    impl_->server.widen_backlog();
    return port;
}

bool HttpServer::run() {
    const bool ok = impl_->stop_requested.load() || impl_->server.listen_after_bind();
    impl_->finished.store(true);
    return ok || impl_->stop_requested.load();
}

void HttpServer::stop() {
    if (impl_->stop_requested.exchange(true)) return;
    // httplib's stop() does nothing before listening has begun, and must be called once: wait
    // for run() to be listening (or to have seen the request and returned).
    while (!impl_->finished.load()) {
        if (impl_->server.is_running()) {
            impl_->server.stop();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace pkilab::web
