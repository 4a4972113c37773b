/// The engine's identity, written to every manifest.
public enum EngineInfo {
    public static let version = "0.1.0"
}
