// The CMP server's bounded state and its secrets: the transaction table (least recently used
// out first, idle ones dropped, a transaction continues only for who started it) and
// protocols.cmp.secrets / the generated secret.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <stdlib.h>

#include "ca/errors.hpp"
#include "webenroll/cmp/cmp_secrets.hpp"
#include "webenroll/cmp/cmp_transactions.hpp"

namespace pkilab::web {
namespace {

namespace fs = std::filesystem;
using cmp::Transaction;
using cmp::Transactions;

const Time kT0{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};

std::shared_ptr<Transaction> transaction(const std::string& who) {
    auto t = std::make_shared<Transaction>();
    t->identity = who;
    return t;
}

TEST(CmpTransactions, ContinueOnlyForWhoStartedThem) {
    Transactions ts;
    ts.keep("aa", transaction("mac:one"), kT0);
    EXPECT_TRUE(ts.find("aa", "mac:one", kT0));
    EXPECT_FALSE(ts.find("aa", "mac:two", kT0));
    EXPECT_FALSE(ts.find("bb", "mac:one", kT0));
    const auto t = ts.find("aa", "mac:one", kT0);
    ts.forget("aa", t.get());
    EXPECT_FALSE(ts.find("aa", "mac:one", kT0));
    EXPECT_EQ(ts.size(), 0u);
}

TEST(CmpTransactions, ForgetLeavesAReplacementAlone) {
    Transactions ts;
    const auto old_one = transaction("x");
    ts.keep("aa", old_one, kT0);
    ts.keep("aa", transaction("x"), kT0);  // a new transaction under the same ID
    ts.forget("aa", old_one.get());
    EXPECT_TRUE(ts.find("aa", "x", kT0));
}

TEST(CmpTransactions, AreBoundedAndExpire) {
    Transactions ts;
    for (size_t i = 0; i < cmp::kMaxCmpTransactions + 10; ++i)
        ts.keep("t" + std::to_string(i), transaction("x"), kT0 + std::chrono::seconds(i));
    EXPECT_EQ(ts.size(), cmp::kMaxCmpTransactions);
    EXPECT_FALSE(ts.find("t0", "x", kT0 + std::chrono::seconds(2000)));  // the oldest went first
    const Time late = kT0 + std::chrono::seconds(cmp::kMaxCmpTransactions + 10);
    EXPECT_TRUE(ts.find("t" + std::to_string(cmp::kMaxCmpTransactions + 9), "x", late));
    EXPECT_FALSE(ts.find("t20", "x", late + cmp::kCmpTransactionIdle + std::chrono::hours(1)));
    EXPECT_EQ(ts.size(), 0u);
}

class CmpSecretsTest : public ::testing::Test {
protected:
    fs::path dir;
    CmpSecretsTest() {
        std::string tmpl = (fs::temp_directory_path() / "pkilab-cmp-XXXXXX").string();
        dir = mkdtemp(tmpl.data());
    }
    ~CmpSecretsTest() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

TEST_F(CmpSecretsTest, GeneratedOnceKeptPrivateAndReused) {
    const CmpSecrets first = load_cmp_secrets(CmpConfig{}, dir);
    ASSERT_EQ(first.entries.size(), 1u);
    EXPECT_EQ(first.entries[0].reference, kGeneratedCmpReference);
    EXPECT_GE(first.entries[0].secret.size(), 32u);
    EXPECT_EQ(first.generated_file, dir / "cmp" / "secret");
    EXPECT_EQ(fs::status(first.generated_file).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
    const CmpSecrets again = load_cmp_secrets(CmpConfig{}, dir);
    EXPECT_EQ(again.entries[0].secret, first.entries[0].secret);
    fs::permissions(first.generated_file, fs::perms::others_read, fs::perm_options::add);
    EXPECT_THROW(load_cmp_secrets(CmpConfig{}, dir), InputError);
}

TEST_F(CmpSecretsTest, LabFileSecretsAreReadFromWhereTheySay) {
    std::ofstream(dir / "s2") << "from-a-file\n";
    ::setenv("PKILAB_CMP_TEST_SECRET", "from-the-environment", 1);
    CmpConfig c;
    c.secrets = {CmpSecret{"one", "the-text-itself", "lab.yaml:1:1"},
                 CmpSecret{"two", "file:" + (dir / "s2").string(), "lab.yaml:2:1"},
                 CmpSecret{"three", "env:PKILAB_CMP_TEST_SECRET", "lab.yaml:3:1"}};
    const CmpSecrets s = load_cmp_secrets(c, dir);
    ASSERT_EQ(s.entries.size(), 3u);
    EXPECT_EQ(std::string(s.entries[0].secret.begin(), s.entries[0].secret.end()), "the-text-itself");
    EXPECT_EQ(std::string(s.entries[1].secret.begin(), s.entries[1].secret.end()), "from-a-file");
    EXPECT_EQ(std::string(s.entries[2].secret.begin(), s.entries[2].secret.end()), "from-the-environment");
    EXPECT_TRUE(s.generated_file.empty());
    EXPECT_FALSE(fs::exists(dir / "cmp" / "secret"));
    c.secrets = {CmpSecret{"four", "env:PKILAB_CMP_TEST_UNSET_VARIABLE", "lab.yaml:4:1"}};
    try {
        load_cmp_secrets(c, dir);
        ADD_FAILURE() << "an unset variable was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("four"), std::string::npos) << e.what();
    }
    ::unsetenv("PKILAB_CMP_TEST_SECRET");
}

}  // namespace
}  // namespace pkilab::web
