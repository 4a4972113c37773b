import Foundation
import Testing

@testable import HeduiReport

/// The HTML reports in headless Chromium: no console error, and a screenshot for a person to look at.
///
/// Console errors: Chromium runs with `--enable-logging=stderr --v=0`, which prints every console message
/// (and uncaught exception) of the page as a `:CONSOLE` line on stderr; any such line fails the test. A page
/// with a deliberate `console.error` checks that the detection works.
@Suite(.serialized) struct HTMLRenderTests {
    static func render(_ file: String, screenshot: String) throws -> Support.ProcessResult {
        guard let chromium = Support.tool("chromium") ?? Support.tool("chromium-browser") else {
            throw Support.ToolMissing(name: "chromium")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("hedui-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return try Support.run(
            chromium,
            [
                "--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)",
                "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
                "--screenshot=\(screenshot)", "--window-size=1240,1754", "file://\(file)",
            ])
    }

    static func consoleLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
    }

    @Test(arguments: [
        ("summary.html", "summary"),
        ("330902/verification.html", "verification-330902"),
        ("330902/public-notice.html", "public-notice-330902"),
        ("330903/verification.html", "verification-330903"),
    ])
    func rendersWithoutConsoleErrors(_ file: String, _ name: String) throws {
        let runPath = try Support.reportsZH.get()
        let screenshot = "\(Support.screenshotFolder)/\(name).png"
        try? FileManager.default.removeItem(atPath: screenshot)
        let result = try Self.render("\(runPath)/reports/\(file)", screenshot: screenshot)
        #expect(Self.consoleLines(result.stderr).isEmpty, "console: \(Self.consoleLines(result.stderr))")
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
        #expect(size > 20_000, "a screenshot with content was written to \(screenshot)")
    }

    @Test func consoleErrorsAreDetected() throws {
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("hedui-console-\(UUID().uuidString).html").path
        try "<!DOCTYPE html><p>x</p><script>console.error('hedui-console-check')</script>"
            .write(toFile: page, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: page) }
        let result = try Self.render(page, screenshot: page + ".png")
        try? FileManager.default.removeItem(atPath: page + ".png")
        #expect(Self.consoleLines(result.stderr).contains { $0.contains("hedui-console-check") })
    }

    @Test func pagesAreSelfContainedAndPrintReady() throws {
        let runPath = try Support.reportsZH.get()
        for file in ["summary.html", "330902/verification.html", "330902/public-notice.html"] {
            let html = try String(contentsOfFile: "\(runPath)/reports/\(file)", encoding: .utf8)
            #expect(html.contains("@page { size: A4"))
            #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
            #expect(!html.contains("https://"))
            #expect(!html.contains("<link") && !html.contains("src=\""))
        }
        let report = try String(contentsOfFile: "\(runPath)/reports/330902/verification.html", encoding: .utf8)
        #expect(report.contains("page-break-after: always"))
        let summary = try String(contentsOfFile: "\(runPath)/reports/summary.html", encoding: .utf8)
        #expect(summary.contains("<svg "))
    }
}
