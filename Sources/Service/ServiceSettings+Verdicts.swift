import Configuration
import LineIO

extension ServiceSettings {
    /// The verdict for parts while there is no model (or one is being fitted): [model] no_model_policy.
    var noModelVerdict: Verdict { model.noModelPolicy == .pass ? .pass : .reject }
}
