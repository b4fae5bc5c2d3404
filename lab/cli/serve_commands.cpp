// pkilab serve (the lab's HTTP server: CRLs, CA certificates, OCSP) and pkilab plugins reload
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#include "crl/crl_publisher.hpp"
#include "crl/ocsp/ocsp_responder.hpp"
#include "crl/publication.hpp"
#include "lab/cli/cli.hpp"
#include "webenroll/http_server.hpp"
#include "webenroll/plugin_reload.hpp"
#include "webenroll/published_files.hpp"
#include "webenroll/scheduler.hpp"
#include "webenroll/server_state.hpp"
#include "webenroll/auth/client_certificates.hpp"
#include "webenroll/tls/server_certificate.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::cli {

namespace {

namespace fs = std::filesystem;

struct ServeArgs {
    std::string http = "127.0.0.1:8080";
    std::string https = "127.0.0.1:8443";
    std::size_t threads = 64;
    bool access_log = true;
    bool routes = false;
};

sigset_t serve_signals() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    return s;
}

// The one thread that receives SIGINT, SIGTERM and SIGHUP (blocked in every other), so what
// they do is ordinary code rather than a signal handler's: stop the server, reload the plugins.
void handle_signals(const sigset_t& signals, Lab& lab, web::HttpServer& server, const std::atomic<bool>& done) {
    unsigned long reloads = 0;
    const timespec poll{0, 200'000'000};  // to notice that the server ended on its own
    while (!done.load()) {
        const int sig = ::sigtimedwait(&signals, nullptr, &poll);
        if (sig < 0) continue;
        if (sig == SIGHUP) {
            const web::ReloadOutcome outcome = web::reload_policy_plugins(lab);
            web::log_line(outcome.message);
            try {
                web::write_reload_status(lab.state_dir(), {::getpid(), ++reloads, outcome.ok, outcome.message});
            } catch (const std::exception& e) {
                web::log_line(std::string("cannot write the reload status: ") + e.what());
            }
            continue;
        }
        web::log_line(std::string(sig == SIGINT ? "SIGINT" : "SIGTERM") +
                      ": stopping (requests in flight are finished first)");
        server.stop();
        return;
    }
}

// The pages and API routes with the access each demands: what the authorization matrix test
// walks, and what an admin reads to see what the server exposes.
void list_routes(Cli& cli) {
    const web::WebApp app(cli.lab(), std::nullopt, "https://127.0.0.1:8443", "http://127.0.0.1:8080");
    nlohmann::json out = nlohmann::json::array();
    std::string human;
    for (const auto& r : app.router().routes()) {
        out.push_back({{"method", r.method}, {"path", r.pattern}, {"access", web::to_string(r.access)}, {"summary", r.summary}});
        human += r.method + std::string(7 - std::min<size_t>(r.method.size(), 6), ' ') + r.pattern + "  [" +
                 web::to_string(r.access) + "]  " + r.summary + "\n";
    }
    cli.emit(out, human);
}

void serve(Cli& cli, const ServeArgs& a) {
    if (a.routes) return list_routes(cli);
    web::ServeOptions options;
    options.http = web::parse_endpoint(a.http, "--http");
    if (a.https != "off") options.https = web::parse_endpoint(a.https, "--https");
    options.threads = a.threads;
    options.access_log = a.access_log;
    if (a.threads < 2 || a.threads > 4096) throw InputError("--threads", std::to_string(a.threads), "not from 2 to 4096");

    // Blocked before any thread exists (opening the lab starts the store's) so that every
    // thread inherits the mask and only the signal thread takes them, with sigtimedwait.
    const sigset_t signals = serve_signals();
    if (const int rc = ::pthread_sigmask(SIG_BLOCK, &signals, nullptr); rc != 0)
        throw InternalError(std::string("pthread_sigmask: ") + std::strerror(rc));
    std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error on its socket, not our end

    Lab& lab = cli.lab();
    web::ServerPidFile pid_file(lab.state_dir());
    std::error_code ec;
    fs::remove(web::reload_status_file(lab.state_dir()), ec);  // a previous server's

    crl::write_ca_certificates(lab);
    crl::OcspResponder responder(lab);
    web::PublishedFiles files(lab);
    std::unique_ptr<web::ServerCertificate> tls;  // the HTTPS certificate, made below
    web::Scheduler scheduler(lab, files, [&responder, &tls] {
        responder.refresh();
        if (tls) tls->renew_if_due();
    });
    scheduler.tick();  // a fresh lab serves its CRLs from the first request

    const std::vector<std::string> ocsp_paths = crl::ocsp_paths(lab);
    // The pages and API, behind HTTPS with a certificate of the certsrv CA.
    std::unique_ptr<web::WebApp> app;
    std::optional<web::GeneratedAdmin> admin;
    if (options.https) {
        const std::string certsrv_ca = web::choose_certsrv_ca(lab.config());
        tls = std::make_unique<web::ServerCertificate>(lab, lab.ca(certsrv_ca),
                                                       web::server_names(lab.config(), options.https->host));
        if (web::needs_generated_admin(lab.config())) admin = web::generated_admin(lab.state_dir());
        // EST's simplereenroll authenticates with the certificate being renewed.
        if (web::wants_client_certificates(lab.config()) || lab.config().protocols.est.enabled)
            tls->request_client_certificates(web::client_certificate_authorities(lab));
    }
    web::HttpServer server(lab, files, ocsp_paths, [&responder](ByteView request) { return responder.answer(request); },
                           options, nullptr, tls.get());
    const web::HttpServer::Ports ports = server.bind();
    options.http.port = ports.http;
    if (options.https) options.https->port = ports.https;
    // The routes need the bound ports (their pages link to both listeners).
    if (options.https) {
        app = std::make_unique<web::WebApp>(lab, admin, web::endpoint_url(*options.https, "https"),
                                            web::endpoint_url(options.http));
        server.set_front_door(&app->front_door());
    }

    // One "listening on URL" line per listener, first: scripts and tests wait for them.
    std::cout << "pkilab serve: listening on " << web::endpoint_url(options.http) << std::endl;
    if (options.https) std::cout << "pkilab serve: listening on " << web::endpoint_url(*options.https, "https") << std::endl;
    std::cout << "pkilab serve: CRLs, CA certificates and OCSP on " << web::endpoint_url(options.http) << "/" << std::endl;
    if (options.https) {
        const std::string base = web::endpoint_url(*options.https, "https");
        std::cout << "pkilab serve: web enrollment on " << base << "/certsrv/, the console on " << base
                  << "/console/, the REST API on " << base << "/api/v1/" << std::endl;
        std::cout << "pkilab serve: HTTPS certificate " << tls->current()->serial << " from CA " << app->certsrv_ca()
                  << "; trust " << (web::ca_folder_of_root(lab, app->certsrv_ca()) / "ca.pem").string()
                  << " (the root) to reach it" << std::endl;
        if (admin)
            std::cout << "pkilab serve: administrator: user " << admin->name << ", password " << admin->password
                      << " (kept in " << admin->file.string() << "; add web.users to the lab file to choose your own)"
                      << std::endl;
        for (const auto& note : app->notes()) std::cout << "pkilab serve: " << note << std::endl;
    }
    std::string ocsp_list;
    for (const auto& p : ocsp_paths) ocsp_list += (ocsp_list.empty() ? "" : ", ") + p;
    web::log_line("serving " + std::to_string(files.size()) + " CRL and CA certificate locations" +
                  (ocsp_list.empty() ? std::string() : " and OCSP at " + ocsp_list) + " for the lab in " +
                  lab.state_dir().string() + " (pid " + std::to_string(::getpid()) + ")");

    for (const auto& signer : responder.signers())
        web::log_line("OCSP for " + signer.ca + ": signed by " +
                      (signer.delegated ? "the responder certificate " + signer.serial + " (until " +
                                              format_time(signer.not_after) + ")"
                                        : std::string("the CA key")) +
                      (signer.problem.empty() ? std::string() : "; " + signer.problem));

    scheduler.start();
    std::atomic<bool> done{false};
    std::thread signal_thread([&] { handle_signals(signals, lab, server, done); });
    const bool served = server.run();
    done.store(true);
    signal_thread.join();
    scheduler.stop();
    if (!served) throw InternalError("pkilab serve: accepting connections failed");
    web::log_line("stopped");
}

void plugins_reload(Cli& cli) {
    const fs::path state = cli.state_dir;
    const auto pid = web::running_server(state);
    if (!pid)
        throw NotFoundError("no pkilab serve runs on " + state.string() +
                            " (nothing to reload: without a server, every command loads the lab file's plugins afresh)");
    const auto before = web::read_reload_status(state);
    const unsigned long seen = before && before->pid == *pid ? before->generation : 0;
    if (::kill(*pid, SIGHUP) != 0)
        throw InternalError("cannot signal pkilab serve (pid " + std::to_string(*pid) + "): " + std::strerror(errno));

    // The server answers in the status file; loading plugins takes milliseconds, so a long wait
    // means it is stuck (its stderr says why).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::optional<web::ReloadStatus> status;
    while (std::chrono::steady_clock::now() < deadline) {
        status = web::read_reload_status(state);
        if (status && status->pid == *pid && status->generation > seen) break;
        status.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!status)
        throw InternalError("pkilab serve (pid " + std::to_string(*pid) +
                            ") was asked to reload but has not answered within 30 s; see its log");
    cli.emit({{"server_pid", *pid}, {"reloaded", status->ok}, {"message", status->message}}, status->message + "\n");
    if (!status->ok) cli.exit_code = kExitBadInput;
}

}  // namespace

void add_serve_commands(CLI::App& app, Cli& cli) {
    auto a = std::make_shared<ServeArgs>();
    auto* serve_cmd = app.add_subcommand("serve", "Serve the lab: CRLs, CA certificates and OCSP over HTTP; web enrollment, the console and the REST API over HTTPS (foreground)");
    serve_cmd->add_option("--http", a->http, "ADDRESS:PORT for CRLs, AIA and OCSP (port 0: any free port)")->capture_default_str();
    serve_cmd->add_option("--https", a->https, "ADDRESS:PORT for the pages and the API, or off")->capture_default_str();
    serve_cmd->add_option("--threads", a->threads, "Worker threads (each open connection holds one)")->capture_default_str();
    serve_cmd->add_flag("--access-log,!--no-access-log", a->access_log,
                        "One line per request on stderr (the default; --no-access-log for benchmarks)");
    serve_cmd->add_flag("--routes", a->routes, "List the pages and API routes with the access each needs, and exit");
    serve_cmd->footer("SIGINT or SIGTERM stops it after the requests in flight; SIGHUP (pkilab plugins reload) "
                      "reloads the policy plugins.");
    serve_cmd->callback([&cli, a] { serve(cli, *a); });

    // `plugins` is registered with `plugins list` (check_commands.cpp), before this.
    CLI::App* plugins = app.get_subcommand("plugins");
    plugins->add_subcommand("reload", "Make the running pkilab serve reload the lab file's plugins section")
        ->callback([&cli] { plugins_reload(cli); });
}

}  // namespace pkilab::cli
