#include "webenroll/certsrv/certsrv_http.hpp"

#include "ca/errors.hpp"
#include "webenroll/certsrv/certsrv_forms.hpp"

namespace pkilab::web::certsrv {

std::string field(const httplib::Request& req, const char* name) {
    const std::size_t params = req.get_param_value_count(name);
    const std::size_t parts = req.has_file(name) ? 1 : 0;
    if (params + parts > 1 || req.files.count(name) > 1)
        throw InputError(kFormWhere, name, "is given more than once", "send each field once");
    if (params == 1) return req.get_param_value(name);
    if (parts == 1) return req.get_file_value(name).content;
    return {};
}

void send_download(httplib::Response& res, ByteView content, const char* content_type, const char* filename) {
    res.status = 200;
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Disposition", std::string("attachment; filename=\"") + filename + "\"");
    res.set_content(reinterpret_cast<const char*>(content.data()), content.size(), content_type);
}

void send_download(httplib::Response& res, const std::string& content, const char* content_type, const char* filename) {
    send_download(res, as_bytes(content), content_type, filename);
}

}  // namespace pkilab::web::certsrv
