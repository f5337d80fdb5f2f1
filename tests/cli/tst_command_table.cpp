// The CLI's one table of commands and options (app/cli/CommandTable.h) against what is generated
// from it: every option a command takes is described, --help names every command and option, a
// command's help shows its own options only, and each command is run by the program meant for it.
#include "CliSupport.h"
#include "CommandTable.h"
#include "HelpText.h"

#include <QTest>

#include <set>
#include <string>

using namespace lb::cli;

namespace {

bool contains(const std::string& text, std::string_view word) {
    return text.find(word) != std::string::npos;
}

} // namespace

class CommandTableTest : public QObject {
    Q_OBJECT
private slots:
    void everyCommandOptionIsDescribedOnce() {
        std::set<std::string_view> names;
        for (const OptionSpec& o : optionTable()) {
            QVERIFY2(names.insert(o.name).second, std::string(o.name).c_str());
            QVERIFY2(!o.help.empty(), std::string(o.name).c_str());
            QVERIFY2((o.arity == Arity::Flag) == o.placeholder.empty(),
                     std::string(o.name).c_str());
            if (!o.excludes.empty()) {
                const OptionSpec* other = findOption(o.excludes);
                QVERIFY(other);
                QCOMPARE(other->excludes, o.name);
            }
        }
        std::set<std::string_view> used;
        for (const CommandSpec& c : commandTable()) {
            std::set<std::string_view> own;
            for (const CommandOption& o : c.options) {
                QVERIFY2(findOption(o.name),
                         (std::string(c.name) + " --" + std::string(o.name)).c_str());
                QVERIFY2(own.insert(o.name).second, std::string(o.name).c_str());
                used.insert(o.name);
            }
        }
        QCOMPARE(used.size(), names.size()); // no option that no command takes
    }

    void helpNamesEveryCommandAndOption() {
        const std::string help = usageText();
        for (const CommandSpec& c : commandTable())
            QVERIFY2(contains(help, std::string(kCliName) + " " + std::string(c.name)),
                     std::string(c.name).c_str());
        for (const OptionSpec& o : optionTable())
            QVERIFY2(contains(help, "  --" + std::string(o.name) + " "),
                     std::string(o.name).c_str());
        for (const std::string& line : {std::string("Usage:"), std::string("Commands:"),
                                        std::string("Options:"), std::string("Encode modes")})
            QVERIFY2(contains(help, line), line.c_str());
        std::size_t start = 0;
        for (std::size_t end = help.find('\n'); end != std::string::npos;
             start = end + 1, end = help.find('\n', start))
            QVERIFY2(end - start <= 100, help.substr(start, end - start).c_str());
    }

    void synopsisMarksRequiredAndExclusiveOptions() {
        const std::string grow = synopsis(*findCommand("grow"));
        QVERIFY2(contains(grow, "latentbrush-cli grow --mask MASK --grow N "), grow.c_str());
        QVERIFY2(contains(grow, "[--size WxH]"), grow.c_str());
        QVERIFY2(contains(grow, "--output GROWN.png"), grow.c_str());
        const std::string encode = synopsis(*findCommand("encode"));
        QVERIFY2(contains(encode, "[--tapered-corners | --square-corners]"), encode.c_str());
        QVERIFY2(!contains(encode, "[--square-corners"), encode.c_str());
        const std::string stitch = synopsis(*findCommand("stitch"));
        QVERIFY2(contains(stitch, "--result R.png [--result R.png ...]"), stitch.c_str());
    }

    void commandHelpShowsItsOwnOptions() {
        const std::string grow = commandHelpText(*findCommand("grow"));
        for (const char* word : {"--mask ", "--grow ", "--size ", "--multiple ", "--output "})
            QVERIFY2(contains(grow, word), word);
        for (const char* word : {"--vae ", "--device ", "--region "})
            QVERIFY2(!contains(grow, word), word);
        QVERIFY(contains(commandHelpText(*findCommand("encode")), "--vae-family "));
    }

    void eachCommandRunsInTheLightestProgramThatCan() {
        QCOMPARE(int(findCommand("grow")->program), int(Program::Cli));
        QCOMPARE(int(findCommand("rgba")->program), int(Program::CliIo));
        for (const char* name : {"encode", "stitch", "decode", "info", "batch"})
            QCOMPARE(int(findCommand(name)->program), int(Program::CliVae));
        QCOMPARE(commandTable().size(), std::size_t(7));
    }

    // The programs print the same help as the table gives, whichever of them runs it.
    void theProgramsPrintTheTablesHelp() {
        const lbtest::CliRun all = lbtest::runCli({"--help"});
        QCOMPARE(all.exitCode, 0);
        QCOMPARE(all.out.toStdString(), usageText());
        for (const CommandSpec& c : commandTable()) {
            const lbtest::CliRun one =
                lbtest::runCli({QString::fromUtf8(c.name.data(), int(c.name.size())), "--help"});
            QCOMPARE(one.exitCode, 0);
            QCOMPARE(one.out.toStdString(), commandHelpText(c));
        }
    }
};

QTEST_GUILESS_MAIN(CommandTableTest)
#include "tst_command_table.moc"
