/// The library's version, written into every export's root attributes.
public enum NeuroSwiftVersion {
    public static let current = "0.1.0"
    public static let software = "NeuroSwift"
}
