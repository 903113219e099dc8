import COpenCV

/// Every COpenCV call goes through here: a non-zero code becomes a `RegistrationError` carrying the
/// shim's one-line message.
enum OpenCVCalls {
    static func check(_ code: Int32) throws(RegistrationError) {
        guard code != 0 else { return }
        let message = String(cString: ls_cv_last_error())
        if code == Int32(LS_CV_BAD_ARGUMENT) { throw .badArgument(message) }
        throw .opencv(message)
    }

    /// OpenCV's own loops on the calling thread (the firmware owns its threads).
    static let singleThreaded: Void = { ls_cv_set_threads(0) }()
}
