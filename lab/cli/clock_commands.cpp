// pkilab clock show | set | advance, and pkilab audit
#include <sstream>

#include "lab/cli/cli.hpp"
#include "lab/cli/render.hpp"

namespace pkilab::cli {

namespace {

void show_clock(Cli& cli) {
    Lab& lab = cli.lab();
    const Time real = cli.system_clock().now();
    const Time now = lab.clock().now();
    std::ostringstream human;
    human << "Lab time:  " << format_time(now) << "\n"
          << "Real time: " << format_time(real) << "\n"
          << "Offset:    " << format_duration(lab.clock_offset()) << "\n";
    cli.emit({{"lab_time", format_time(now)}, {"real_time", format_time(real)}, {"offset_seconds", lab.clock_offset().count()},
              {"offset", format_duration(lab.clock_offset())}},
             human.str());
}

}  // namespace

void add_clock_commands(CLI::App& app, Cli& cli) {
    auto* clock = app.add_subcommand("clock", "The lab clock (training: fast-forward to expiry)");
    clock->require_subcommand(1);
    clock->add_subcommand("show", "Show lab time and the offset from real time")->callback([&cli] { show_clock(cli); });

    auto when = std::make_shared<std::string>();
    auto* set = clock->add_subcommand("set", "Set lab time (UTC), or 'now' to return to real time");
    set->add_option("time", *when, "YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DD or now")->required();
    set->callback([&cli, when] {
        Lab& lab = cli.lab();
        Duration offset{0};
        if (*when != "now") offset = parse_time(*when, "clock set") - cli.system_clock().now();
        lab.set_clock_offset(offset, cli.requester().identity);
        show_clock(cli);
    });

    auto by = std::make_shared<std::string>();
    auto* advance = clock->add_subcommand("advance", "Move lab time forward, e.g. 30d, 12h, 1y");
    advance->add_option("duration", *by, "Duration")->required();
    advance->callback([&cli, by] {
        Lab& lab = cli.lab();
        lab.set_clock_offset(lab.clock_offset() + parse_duration(*by, "clock advance"), cli.requester().identity);
        show_clock(cli);
    });

    struct AuditArgs { std::size_t limit = 100; std::int64_t after = 0; };
    auto a = std::make_shared<AuditArgs>();
    auto* audit = app.add_subcommand("audit", "The audit trail (every decision, refusals included)");
    audit->add_option("--limit", a->limit, "At most this many events");
    audit->add_option("--after", a->after, "Only events after this id");
    audit->callback([&cli, a] {
        nlohmann::json out = nlohmann::json::array();
        std::ostringstream human;
        for (const auto& e : cli.lab().store().list_audit(a->limit, a->after)) {
            out.push_back(to_json(e));
            human << e.id << "  " << format_time(e.at) << "  " << e.actor << "  " << e.action << "  " << e.outcome;
            if (!e.ca.empty()) human << "  " << e.ca;
            if (e.request_id) human << " #" << *e.request_id;
            if (!e.detail.empty()) human << "  " << e.detail;
            human << "\n";
        }
        cli.emit(out, human.str());
    });
}

}  // namespace pkilab::cli
