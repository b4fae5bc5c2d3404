#pragma once
// `pkilab serve`'s HTTP(S) server. Over plain HTTP: the lab's CRLs and CA certificates at
// exactly the paths of the URLs its certificates name, and its OCSP responders (POST, and GET
// with the request in the path), which relying parties fetch over http://. Over HTTPS (a
// certificate the lab's CA issues, tls/server_certificate.hpp) the same, and the pages and API
// routes of the front door (front_door.hpp). httplib stays inside webenroll's implementation.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/authority/lab.hpp"
#include "crl/ocsp/ocsp_responder.hpp"
#include "ca/bytes.hpp"
#include "webenroll/published_files.hpp"

namespace pkilab::web {
class FrontDoor;
class ServerCertificate;
}  // namespace pkilab::web

namespace pkilab::web {

struct Endpoint {
    std::string host = "127.0.0.1";  // without brackets for IPv6
    int port = 8080;                 // 0: any free port
};

// "ADDR:PORT" or "[IPV6]:PORT". InputError naming `option` otherwise.
Endpoint parse_endpoint(std::string_view text, std::string_view option);
// "http://127.0.0.1:8080", "https://[::1]:8443"
std::string endpoint_url(const Endpoint& e, std::string_view scheme = "http");

struct ServeOptions {
    Endpoint http;
    std::optional<Endpoint> https;  // none: plain HTTP only (no pages, no API)
    // Each keep-alive connection holds a worker for its life (httplib's model): enough for
    // the two cores' work and for clients that sit on an open connection.
    std::size_t threads = 64;
    bool access_log = false;  // one line per request on stderr
};

// Answers one DER OCSP request (empty bytes for an unreadable one) with a DER OCSP response,
// its status and nextUpdate. Called from many threads at once; must not throw.
using OcspAnswer = std::function<crl::OcspResponder::Reply(ByteView request_der)>;

class HttpServer {
public:
    // `lab`, `files`, `front` and `tls` must outlive the server. `front`: the pages and API
    // (null: none); `tls`: the HTTPS certificate, required when options.https is set.
    HttpServer(const Lab& lab, const PublishedFiles& files, std::vector<std::string> ocsp_paths, OcspAnswer ocsp,
               ServeOptions options, const FrontDoor* front = nullptr, ServerCertificate* tls = nullptr);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    struct Ports {
        int http = 0;
        int https = 0;  // 0: no HTTPS listener
    };
    // Binds the addresses; returns the ports (the ones picked for port 0). InputError when one
    // cannot be bound (in use, not an address of this machine).
    Ports bind();
    // The pages and API, once their routes know the bound ports. Before run().
    void set_front_door(const FrontDoor* front);
    // Serves until stop(); returns when the requests in flight have finished: true, or false
    // when accepting connections failed before any stop().
    bool run();
    // Stops accepting and makes run() return. Any thread, any time, even before run().
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pkilab::web
