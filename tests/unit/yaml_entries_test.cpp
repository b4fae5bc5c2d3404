// yaml::Node::entries: mappings whose keys are data (host names with dots), in document order.
#include <gtest/gtest.h>

#include "ca/config/yaml_reader.hpp"
#include "ca/errors.hpp"

namespace pkilab::test {
namespace {

TEST(YamlEntries, KeepsDottedKeysInDocumentOrder) {
    const yaml::Node root = yaml::Node::parse("hosts: {www.lab.test: 127.0.0.1, app.lab.test: 10.0.0.7}\n", "t.yaml");
    const auto entries = root.require("hosts").entries();
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].first, "www.lab.test");
    EXPECT_EQ(entries[0].second.str(), "127.0.0.1");
    EXPECT_EQ(entries[1].first, "app.lab.test");
    EXPECT_EQ(entries[1].second.str(), "10.0.0.7");
}

TEST(YamlEntries, RefusesAListAndAKeyWrittenTwice) {
    EXPECT_THROW(yaml::Node::parse("hosts: [a, b]\n", "t.yaml").require("hosts").entries(), InputError);
    try {
        (void)yaml::Node::parse("hosts:\n  a.lab.test: 1.2.3.4\n  a.lab.test: 1.2.3.5\n", "t.yaml").require("hosts").entries();
        ADD_FAILURE() << "a key written twice was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("written twice"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("t.yaml:"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace pkilab::test
