import Foundation

/// Writes `<run>/reports/` from a finished run's files (`hedui report --run <dir>`).
///
/// Layout: `summary.html`, and per region `<region_code>/flagged.xlsx`, `flagged.csv` (UTF-8 with BOM),
/// `verification.html` (核对报告), `public-notice.xlsx`, `public-notice.html` (公示名单; only with
/// households.jsonl), and `worksheets/<inspector_id>.html|.xlsx` (复核工作表, when spotcheck.csv has assigned
/// units). Files are mode 0600, folders 0700. The folder is written beside as
/// `.reports.tmp-<pid>` and renamed into place, so a reader never sees a half-written one.
public struct ReportWriter: Sendable {
    public let runPath: String
    public let language: ReportLanguage

    public init(runPath: String, language: ReportLanguage = .zh) {
        self.runPath = runPath
        self.language = language
    }

    public struct Outcome: Sendable {
        public var path: String
        public var regions: [String]
        public var flagged: Int
        public var publicNotice: Int
        public var files: [String]
    }

    /// Reads the run and writes the reports folder atomically.
    ///
    /// - Throws: `ReportError` (missing or malformed run files, write failures); the old reports stay then.
    public func write() throws -> Outcome {
        let run = try RunFolder(path: runPath)
        let catalog = Catalog(language)
        let fm = FileManager.default
        let final = (runPath as NSString).appendingPathComponent("reports")
        let staging = (runPath as NSString).appendingPathComponent(".reports.tmp-\(getpid())")
        try? fm.removeItem(atPath: staging)
        var written: [String] = []
        do {
            try makeFolder(staging)
            let regions = Set(run.assessments.map(\.regionCode)).sorted()
            var links: [String: [(Catalog.Key, String)]] = [:]
            var noticeCount = 0
            let flagged = FlaggedList(catalog: catalog, run: run)
            let notice = PublicNotice(catalog: catalog, run: run)
            for region in regions {
                let folder = (staging as NSString).appendingPathComponent(region)
                try makeFolder(folder)
                func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
                try XLSXLibrary.write([flagged.sheet(region: region)], to: path("flagged.xlsx"))
                try protect(path("flagged.xlsx"))
                try writeFile(path("flagged.csv"), flagged.csv(region: region))
                try writeFile(
                    path("verification.html"),
                    Array(VerificationReport(catalog: catalog, run: run).render(region: region).utf8))
                var regionLinks: [(Catalog.Key, String)] = [
                    (.flaggedListLink, "\(region)/flagged.xlsx"), (.linksCSV, "\(region)/flagged.csv"),
                    (.verificationLink, "\(region)/verification.html"),
                ]
                written += ["\(region)/flagged.xlsx", "\(region)/flagged.csv", "\(region)/verification.html"]
                if run.hasHouseholdsFile {
                    try XLSXLibrary.write([notice.sheet(region: region)], to: path("public-notice.xlsx"))
                    try protect(path("public-notice.xlsx"))
                    try writeFile(path("public-notice.html"), Array(notice.html(region: region).utf8))
                    noticeCount += notice.entries(region: region).count
                    regionLinks.append((.publicNoticeLink, "\(region)/public-notice.html"))
                    written += ["\(region)/public-notice.xlsx", "\(region)/public-notice.html"]
                }
                links[region] = regionLinks
            }
            let summary = SummaryPage(catalog: catalog, run: run, regions: regions, links: links)
            try writeFile((staging as NSString).appendingPathComponent("summary.html"), Array(summary.render().utf8))
            written.insert("summary.html", at: 0)
            // Recheck worksheets, one HTML + XLSX per inspector of spotcheck.csv (none without it).
            written += try WorksheetWriter(catalog: catalog, run: run)
                .write(runPath: runPath, into: (staging as NSString).appendingPathComponent("worksheets")).map { "worksheets/" + $0 }
            // Swap into place: the old folder is moved aside, the new one renamed, the old one removed.
            let old = (runPath as NSString).appendingPathComponent(".reports.old-\(getpid())")
            try? fm.removeItem(atPath: old)
            if fm.fileExists(atPath: final) { try rename(final, old) }
            try rename(staging, final)
            try? fm.removeItem(atPath: old)
            return Outcome(
                path: final, regions: regions, flagged: run.assessments.filter { !$0.flag.isEmpty }.count,
                publicNotice: noticeCount, files: written)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    private func makeFolder(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 else {
            throw ReportError(.writeFailed, "cannot create \(path) (errno \(errno))")
        }
        chmod(path, 0o700)
    }

    private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ReportError(.writeFailed, "cannot create \(path) (errno \(errno))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ReportError(.writeFailed, "cannot write \(path) (errno \(errno))") }
            offset += n
        }
        try protect(path)
    }

    private func protect(_ path: String) throws {
        guard chmod(path, 0o600) == 0 else { throw ReportError(.writeFailed, "cannot set the mode of \(path)") }
    }

    private func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw ReportError(.writeFailed, "cannot rename \(from) to \(to) (errno \(errno))")
        }
    }
}
