#include "crl/publication.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "ca/errors.hpp"
#include "ca/x509/pem.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/unique_fd.hpp"

namespace pkilab::crl {

namespace fs = std::filesystem;

namespace {

// The path of an http:// URL, percent-decoded as an HTTP server decodes a request's path.
// Empty for another scheme.
std::string http_path(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.size() < kScheme.size() || !std::equal(kScheme.begin(), kScheme.end(), url.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        }))
        return {};
    const std::string_view rest = url.substr(kScheme.size());
    const size_t slash = rest.find('/');
    std::string_view raw = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    raw = raw.substr(0, raw.find_first_of("?#"));
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size() && hex_digit_value(raw[i + 1]) >= 0 && hex_digit_value(raw[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit_value(raw[i + 1]) * 16 + hex_digit_value(raw[i + 2])));
            i += 2;
        } else {
            out.push_back(raw[i]);
        }
    }
    return out;
}

// The file under the publication folder for a URL path. A path that climbs out of the folder
// ("..") or names no file cannot be published: refused with the CA and URL.
fs::path file_for(const fs::path& folder, const std::string& path, const std::string& ca, const std::string& url) {
    const fs::path rel = fs::path(path).relative_path().lexically_normal();
    if (rel.empty() || !rel.has_filename() || *rel.begin() == ".." || rel.filename() == "..")
        throw InputError("CA " + ca, "cdp/aia", "the URL " + url + " names no file the lab can publish",
                         "end the URL with a file name, e.g. http://<ServerDNSName>:8080/CertEnroll/<CaName>.crl");
    return folder / rel;
}

void add_all(std::vector<PublishedLocation>& out, const fs::path& folder, const std::string& ca,
             const std::vector<std::string>& urls, Artifact what) {
    for (const auto& url : urls) {
        std::string path = http_path(url);
        if (path.empty()) continue;
        fs::path file = file_for(folder, path, ca, url);
        out.push_back({url, std::move(path), ca, what, std::move(file)});
    }
}

void add_ca(std::vector<PublishedLocation>& out, const fs::path& folder, const std::string& ca, const PublishedUrls& urls) {
    add_all(out, folder, ca, urls.cdp, Artifact::BaseCrl);
    add_all(out, folder, ca, urls.freshest_crl, Artifact::DeltaCrl);
    add_all(out, folder, ca, urls.aia, Artifact::CaCertificate);
}

// The same path twice is harmless only when it is the same thing (a CA listing one URL on two
// hosts); anything else would serve one CA's data at another's location.
void refuse_shared_paths(const std::vector<PublishedLocation>& locations) {
    std::map<std::string, const PublishedLocation*> seen;
    for (const auto& loc : locations) {
        auto [it, fresh] = seen.emplace(loc.path, &loc);
        if (fresh || (it->second->ca == loc.ca && it->second->what == loc.what)) continue;
        const PublishedLocation& first = *it->second;
        throw InputError("CA " + loc.ca, "cdp/aia",
                         "the " + std::string(to_string(loc.what)) + " of CA " + loc.ca + " and the " +
                             to_string(first.what) + " of CA " + first.ca + " are both published at " + loc.path,
                         "give each CA its own file name, e.g. with <CaName> and <DeltaCRLAllowed> in the URL");
    }
}

}  // namespace

void publish_file(const fs::path& file, ByteView content) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec)
        throw InputError(file.parent_path().string(), "", "cannot create the publication folder: " + ec.message(),
                         "check the folder's permissions");
    using fs::perms;
    write_file_atomically(file, std::string_view(reinterpret_cast<const char*>(content.data()), content.size()),
                          perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
}

namespace {

fs::path staged_name(const fs::path& file) {
    unsigned char rnd[8];
    ossl::check(RAND_bytes(rnd, sizeof rnd), "RAND_bytes");
    return file.parent_path() / ("." + file.filename().string() + ".staged-" + to_hex(rnd));
}

void sync_folder(const fs::path& folder) {
    UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.valid()) ::fsync(dir.get());
}

}  // namespace

void publish_everywhere(const std::vector<fs::path>& files, ByteView content) {
    if (files.empty()) return;
    // First every location gets the new content under a hidden name, durably: the first by
    // writing it, the others by a hard link to it where they share a file system (a 50 MB CRL
    // is then written and synced once), else by a copy. Only then are they renamed into place,
    // so a failure on the way (a full disk, a folder that cannot be made) changes no location.
    std::vector<std::pair<fs::path, fs::path>> staged;  // hidden name, final name
    struct Cleanup {
        std::vector<std::pair<fs::path, fs::path>>& staged;
        bool armed = true;
        ~Cleanup() {
            if (armed)
                for (const auto& [tmp, file] : staged) ::unlink(tmp.c_str());
        }
    } cleanup{staged};
    for (const auto& file : files) {
        const fs::path tmp = staged_name(file);
        if (staged.empty()) {
            publish_file(tmp, content);
        } else {
            std::error_code ec;
            fs::create_directories(file.parent_path(), ec);
            if (ec || ::link(staged.front().first.c_str(), tmp.c_str()) != 0) publish_file(tmp, content);
        }
        staged.emplace_back(tmp, file);
    }
    for (const auto& [tmp, file] : staged)
        if (::rename(tmp.c_str(), file.c_str()) != 0)
            throw InputError(file.string(), "", std::string("cannot replace the published file: ") + std::strerror(errno),
                             "check the folder's permissions and free space");
    cleanup.armed = false;
    for (const auto& [tmp, file] : staged) sync_folder(file.parent_path());
}

const char* to_string(Artifact a) {
    switch (a) {
        case Artifact::BaseCrl: return "base CRL";
        case Artifact::DeltaCrl: return "delta CRL";
        case Artifact::CaCertificate: return "CA certificate";
    }
    return "?";
}

const char* content_type(Artifact a) {
    return a == Artifact::CaCertificate ? "application/pkix-cert" : "application/pkix-crl";
}

fs::path publication_folder(const fs::path& state_dir) { return state_dir / "publish"; }

std::vector<PublishedLocation> published_locations(const Lab& lab) {
    const fs::path folder = publication_folder(lab.state_dir());
    std::vector<PublishedLocation> out;
    for (const auto& ca : lab.cas()) add_ca(out, folder, ca.name(), ca.urls());
    refuse_shared_paths(out);
    return out;
}

void check_publication_paths(const LabConfig& config) {
    std::vector<PublishedLocation> out;
    for (const auto& ca : config.cas) add_ca(out, "/", ca.name, expand_published_urls(ca, config.server_dns_name));
    refuse_shared_paths(out);
}

std::vector<PublishedLocation> locations_of(const Lab& lab, const std::string& ca, Artifact what) {
    std::vector<PublishedLocation> out;
    for (auto& loc : published_locations(lab))
        if (loc.ca == ca && loc.what == what) out.push_back(std::move(loc));
    return out;
}

void write_ca_certificates(const Lab& lab) {
    for (const auto& loc : published_locations(lab)) {
        if (loc.what != Artifact::CaCertificate) continue;
        const Bytes der = certificate_der(lab.ca(loc.ca).certificate());
        std::error_code ec;
        if (fs::file_size(loc.file, ec) == der.size() && read_file(loc.file, der.size()) == der) continue;
        publish_file(loc.file, der);
    }
}

std::vector<std::string> ocsp_paths(const Lab& lab) {
    std::vector<std::string> out;
    for (const auto& ca : lab.cas())
        for (const auto& url : ca.urls().ocsp) {
            std::string path = http_path(url);
            if (!path.empty() && std::find(out.begin(), out.end(), path) == out.end()) out.push_back(std::move(path));
        }
    return out;
}

}  // namespace pkilab::crl
