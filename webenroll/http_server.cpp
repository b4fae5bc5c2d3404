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
#include "ca/ossl/error.hpp"
#include "webenroll/front_door.hpp"
#include "webenroll/tls/server_certificate.hpp"
#include "webenroll/http_date.hpp"
#include "webenroll/ocsp_http.hpp"

namespace pkilab::web {

namespace {

using httplib::Request;
using httplib::Response;
using Routed = httplib::Server::HandlerResponse;

constexpr std::size_t kMaxRequestBody = 64 * 1024;        // OCSP requests are a few hundred bytes
constexpr std::size_t kMaxHttpsRequestBody = 256 * 1024;  // a CSR is a few KiB; forms and JSON hold one
constexpr std::size_t kKeepAliveRequests = 10'000;         // httplib's default of 5 costs a connect per 5
constexpr std::size_t kCopyBelow = 64 * 1024;              // smaller bodies are copied, larger ones streamed
constexpr std::size_t kWriteChunk = 1024 * 1024;
constexpr int kListenBacklog = 1024;                       // httplib listens with 5
constexpr Duration::rep kCaCertificateMaxAge = 24 * 3600;  // CA certificates change at renewal only

// httplib's socket is protected; the backlog it listens with is compiled into Debian's library.
template <class Base>
class Listener : public Base {
public:
    using Base::Base;
    void widen_backlog() {
        // listen() again on a listening socket changes its backlog (Linux).
        if (this->svr_sock_ != INVALID_SOCKET) ::listen(this->svr_sock_, kListenBacklog);
    }
};
using HttpListener = Listener<httplib::Server>;
using HttpsListener = Listener<httplib::SSLServer>;

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

// What a client wrote, fit for one log line: control characters and backslashes escaped, so a
// path with "%0a" in it cannot forge a second line.
std::string loggable(std::string_view text, std::size_t max = 512) {
    std::string out;
    for (unsigned char c : text.substr(0, max)) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    if (text.size() > max) out += "...";
    return out;
}

void access_log_line(const Request& req, const Response& res, bool secure) {
    const size_t bytes = !res.body.empty() ? res.body.size() : res.content_length_;
    std::string line = std::string("pkilab serve: ") + (secure ? "https " : "http ") + req.remote_addr + " \"" +
                       loggable(req.method, 16) + " " + loggable(req.path) + "\" " + std::to_string(res.status) + " " +
                       std::to_string(bytes) + "\n";
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

std::string endpoint_url(const Endpoint& e, std::string_view scheme) {
    const bool v6 = e.host.find(':') != std::string::npos;
    return std::string(scheme) + "://" + (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

struct HttpServer::Impl {
    const Lab& lab;
    const PublishedFiles& files;
    std::vector<std::string> ocsp_paths;
    OcspAnswer ocsp;
    ServeOptions options;
    const FrontDoor* front;
    ServerCertificate* tls;
    HttpListener http;
    std::unique_ptr<HttpsListener> https;
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> http_done{false};  // the HTTP listener has returned

    // httplib's stop() does nothing before listening has begun, and must be called once: wait
    // for the listener to be running (or to have returned).
    void stop_http() {
        while (!http_done.load()) {
            if (http.is_running()) {
                http.stop();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    Impl(const Lab& l, const PublishedFiles& f, std::vector<std::string> paths, OcspAnswer answer, ServeOptions o,
         const FrontDoor* fd, ServerCertificate* t)
        : lab(l), files(f), ocsp_paths(std::move(paths)), ocsp(std::move(answer)), options(std::move(o)), front(fd), tls(t) {
        configure(http, false);
        if (options.https) {
            if (!tls) throw InternalError("HttpServer: an HTTPS listener needs a server certificate");
            https = std::make_unique<HttpsListener>([this](SSL_CTX& ctx) { return tls->configure(ctx); });
            if (!https->is_valid()) throw InternalError("cannot set up TLS: " + ossl::drain_errors());
            configure(*https, true);
        }
    }

    template <class Server>
    void configure(Server& server, bool secure) {
        const std::size_t threads = std::max<std::size_t>(options.threads, 2);
        server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        server.set_keep_alive_max_count(kKeepAliveRequests);
        server.set_keep_alive_timeout(5);
        server.set_read_timeout(10);
        server.set_write_timeout(30);
        server.set_payload_max_length(secure ? kMaxHttpsRequestBody : kMaxRequestBody);
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
        server.set_pre_routing_handler([this, secure](const Request& req, Response& res) {
            if (!secure && carries_credentials(req)) {
                // Refused before anything is read or served, whatever the path: the client learns
                // at once, not after its password has gone out with every CRL download.
                plain(res, 403,
                      "this server takes passwords, tokens and session cookies over HTTPS only; change the password or "
                      "token that was just sent in clear");
                res.set_header("Connection", "close");
                return Routed::Handled;
            }
            if (req.method != "GET" && req.method != "HEAD") return Routed::Unhandled;
            if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) return Routed::Unhandled;
            // httplib leaves the body out of the answer to HEAD, keeping its Content-Length.
            route_get(req, res, secure);
            return Routed::Handled;
        });
        for (const auto& path : ocsp_paths)
            server.Post(regex_escape(path) + "/?", [this](const Request& req, Response& res) { ocsp_post(req, res); });
        // Everything else (a GET with a body, POST, PUT, DELETE) once httplib has read the body,
        // within the payload limit.
        auto rest = [this, secure](const Request& req, Response& res) {
            if (!front || !front->handle(req, res, secure)) plain(res, 404, "not found: " + req.path);
        };
        server.Get(".*", rest);
        server.Post(".*", rest);
        server.Put(".*", rest);
        server.Delete(".*", rest);
        server.Patch(".*", rest);

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
        server.set_post_routing_handler([this](const Request& req, Response& res) {
            res.set_header("Date", http_date_now(lab.base_clock().now()));
            // cpp-httplib keeps an HTTP/1.0 connection open only for "Connection: Keep-Alive"
            // spelled so, yet answers as if it kept any spelling; OpenSSL's clients (HTTP/1.0,
            // "keep-alive": openssl cmp, ocsp) would then send their next request into a closed
            // connection (CMP's certConf). Saying so makes them open a new one.
            if (req.version == "HTTP/1.0" && req.get_header_value("Connection") != "Keep-Alive")
                res.set_header("Connection", "close");
        });
        if (options.access_log)
            server.set_logger([secure](const Request& req, const Response& res) { access_log_line(req, res, secure); });
    }

    void route_get(const Request& req, Response& res, bool secure) {
        if (const PublishedFile* f = files.find(req.path)) return serve_file(*f, req, res);
        for (const auto& path : ocsp_paths) {
            if (req.path == path || req.path == path + "/") return ocsp_reply(res, ocsp(ByteView{}), true);
            if (starts_with(req.path, path + "/")) {
                const Bytes request = decode_ocsp_get(std::string_view(req.path).substr(path.size() + 1));
                return ocsp_reply(res, ocsp(request), true);
            }
        }
        if (front && front->handle(req, res, secure)) return;
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
                       ServeOptions options, const FrontDoor* front, ServerCertificate* tls)
    : impl_(std::make_unique<Impl>(lab, files, std::move(ocsp_paths), std::move(ocsp), std::move(options), front, tls)) {}

HttpServer::~HttpServer() = default;

namespace {

template <class Server>
int bind_listener(Server& server, const Endpoint& e, std::string_view option, std::string_view scheme) {
    errno = 0;
    int port = e.port;
    bool ok = false;
    if (e.port == 0) {
        port = server.bind_to_any_port(e.host);
        ok = port > 0;
    } else {
        ok = server.bind_to_port(e.host, e.port);
    }
    if (!ok) {
        const int err = errno;
        throw InputError(std::string(option), endpoint_url(e, scheme),
                         std::string("cannot listen there") + (err != 0 ? std::string(": ") + std::strerror(err) : ""),
                         "choose a free port and an address of this machine (127.0.0.1, 0.0.0.0, [::1])");
    }
    server.widen_backlog();
    return port;
}

}  // namespace

HttpServer::Ports HttpServer::bind() {
    Ports ports;
    ports.http = bind_listener(impl_->http, impl_->options.http, "--http", "http");
    if (impl_->https) ports.https = bind_listener(*impl_->https, *impl_->options.https, "--https", "https");
    return ports;
}

void HttpServer::set_front_door(const FrontDoor* front) { impl_->front = front; }

bool HttpServer::run() {
    Impl& m = *impl_;
    if (m.stop_requested.load()) {
        m.http_done.store(true);
        return true;
    }
    // The HTTPS listener runs on a thread of its own; either one failing stops both.
    std::atomic<bool> https_failed{false};
    std::atomic<bool> https_done{false};
    std::thread https_thread;
    if (m.https) {
        https_thread = std::thread([&m, &https_failed, &https_done] {
            const bool ok = m.https->listen_after_bind();
            https_done.store(true);
            if (!ok && !m.stop_requested.load()) {
                https_failed.store(true);
                m.stop_http();
            }
        });
    }
    const bool http_ok = m.http.listen_after_bind();
    m.http_done.store(true);
    if (https_thread.joinable()) {
        // httplib's stop() does nothing before listening has begun: repeat until it lands.
        while (!https_done.load()) {
            if (m.https->is_running()) {
                m.https->stop();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        https_thread.join();
    }
    if (https_failed.load()) return false;
    return http_ok || m.stop_requested.load();
}

void HttpServer::stop() {
    if (impl_->stop_requested.exchange(true)) return;
    impl_->stop_http();
}

}  // namespace pkilab::web
