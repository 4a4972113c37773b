import Foundation

// Benchmarks of hedui's stages, driven by scripts/bench. Release builds only.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "ingest": try runIngestBenchmark(arguments: Array(arguments.dropFirst()))
    case "match": runMatchBenchmark(arguments: Array(arguments.dropFirst()))
    default: throw BenchmarkUsage("usage: HeduiBench ingest FILE | match [options]")
    }
} catch {
    FileHandle.standardError.write(Data("HeduiBench: \(error)\n".utf8))
    exit(2)
}
