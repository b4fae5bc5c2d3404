#pragma once
// How ACME answers are written: JSON bodies, Location and Link headers.
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace pkilab::acme {

inline void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

inline void add_link(httplib::Response& res, const std::string& url, const char* rel) {
    res.set_header("Link", "<" + url + ">;rel=\"" + rel + "\"");
}

}  // namespace pkilab::acme
