#pragma once
// `pkilab serve`'s HTTP server: the lab's CRLs and CA certificates at exactly the paths of the
// URLs its certificates name, and its OCSP responders (POST, and GET with the request in the
// path). Plain HTTP: relying parties fetch CRLs, AIA and OCSP over http://. httplib stays
// inside this file's implementation.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ca/authority/lab.hpp"
#include "crl/ocsp/ocsp_responder.hpp"
#include "ca/bytes.hpp"
#include "webenroll/published_files.hpp"

namespace pkilab::web {

struct Endpoint {
    std::string host = "127.0.0.1";  // without brackets for IPv6
    int port = 8080;                 // 0: any free port
};

// "ADDR:PORT" or "[IPV6]:PORT". InputError naming `option` otherwise.
Endpoint parse_endpoint(std::string_view text, std::string_view option);
// "http://127.0.0.1:8080", "http://[::1]:8080"
std::string endpoint_url(const Endpoint& e);

struct ServeOptions {
    Endpoint http;
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
    // `lab` and `files` must outlive the server.
    HttpServer(const Lab& lab, const PublishedFiles& files, std::vector<std::string> ocsp_paths, OcspAnswer ocsp,
               ServeOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds the address; returns the port (the one picked for port 0). InputError when it
    // cannot be bound (in use, not an address of this machine).
    int bind();
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
