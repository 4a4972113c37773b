// swift-tools-version:6.0
import PackageDescription

// One settings array for every target: Swift 6 language mode (strict concurrency) everywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "hedui",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hedui", targets: ["hedui"]),
        .library(name: "HeduiBatch", targets: ["HeduiBatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // MARK: - C libraries (Debian packages, found with pkg-config)

        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        // A cache prefetch hint for batch lookups in large tables (member index, de-duplication);
        // Swift has no prefetch intrinsic.
        .target(name: "CMemoryHints"),
        // The CSV splitter's structural pass (SSE2/AVX2 bitmaps of separators and non-ASCII bytes).
        .target(name: "CCSVScan"),

        // MARK: - Model: values and records, no I/O

        .target(name: "HeduiModel", swiftSettings: swiftSettings),

        // MARK: - Stages (each depends on the model only)

        // 1. Ingest: inflate, CSV, XML, Schemas/, validation, quarantine.
        .target(
            name: "HeduiIngest",
            dependencies: [
                "HeduiModel", "CZlib", "CISAL", "CLibXML2", "CCSVScan",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // 2. Households and matching: units, member index, certain/probable matches.
        .target(name: "HeduiHouseholds", dependencies: ["HeduiModel", "CMemoryHints"], swiftSettings: swiftSettings),
        // 4. Spot checks: the reproducible stratified draw and inspector assignment (复核抽查, 双随机).
        .target(
            name: "HeduiSample",
            dependencies: ["HeduiModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // 3. Assessment: policy, measures, reasons, status, benefit, flags.
        .target(
            name: "HeduiAssess",
            dependencies: ["HeduiModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // MARK: - The run ledger (SQLite through GRDB): runs, input files, unit results, spot checks

        .target(
            name: "HeduiStore",
            dependencies: [
                "HeduiModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),  // sqlite3_bind_* for the bulk unit rows
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Orchestration and executable

        .target(
            name: "HeduiBatch",
            dependencies: [
                "HeduiModel", "HeduiIngest", "HeduiHouseholds", "HeduiAssess", "HeduiSample", "HeduiReport", "HeduiStore", "CMemoryHints",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // 5. Reports for relief offices (flagged lists, 核对报告, summary, 公示名单): reads a finished run's files.
        .target(
            name: "HeduiReport",
            dependencies: ["HeduiModel", "HeduiAssess", "CXLSXWriter"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hedui",
            dependencies: [
                "HeduiBatch", "HeduiModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "HeduiBench",
            dependencies: ["HeduiIngest", "HeduiHouseholds", "HeduiModel"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Tests

        .testTarget(name: "HeduiModelTests", dependencies: ["HeduiModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HeduiIngestTests",
            dependencies: ["HeduiIngest", "HeduiModel"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HeduiHouseholdsTests", dependencies: ["HeduiHouseholds", "HeduiModel"], swiftSettings: swiftSettings),
        .testTarget(name: "HeduiAssessTests", dependencies: ["HeduiAssess", "HeduiModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HeduiReportTests",
            dependencies: ["HeduiReport", "HeduiAssess", "HeduiModel"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HeduiSampleTests", dependencies: ["HeduiSample", "HeduiModel"], swiftSettings: swiftSettings),
        .testTarget(name: "HeduiStoreTests", dependencies: ["HeduiStore", "HeduiModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HeduiBatchTests",
            dependencies: ["HeduiBatch", "HeduiModel", "HeduiStore", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"],  // the golden files are read from the repository by path, not bundled
            swiftSettings: swiftSettings
        ),
    ]
)
