/// A failure inside the registration maths (OpenCV through COpenCV), as one line.
public enum RegistrationError: Error, CustomStringConvertible, Equatable {
    /// A value the shim refused before calling OpenCV (sizes, a non-finite matrix).
    case badArgument(String)
    /// OpenCV raised (the shim caught the cv::Exception).
    case opencv(String)
    /// A stored reference that cannot be one (size, values).
    case badReference(String)

    public var description: String {
        switch self {
        case .badArgument(let why): "registration: \(why)"
        case .opencv(let why): "registration: OpenCV error: \(why)"
        case .badReference(let why): "registration reference: \(why)"
        }
    }
}
