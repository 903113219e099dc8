/// Area under the ROC curve by ranks (Mann-Whitney U), ties given their average rank: the same
/// definition as sklearn's roc_auc_score and tools/padim_reference.py.
public enum ROC {
    /// nil when either class is empty.
    public static func auc(scores: [Float], positives: [Bool]) -> Double? {
        precondition(scores.count == positives.count, "one label per score")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, positiveCount = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j + 2) / 2  // ranks are 1-based
            for k in i...j where positives[order[k]] {
                rankSum += averageRank
                positiveCount += 1
            }
            i = j + 1
        }
        let negativeCount = Double(scores.count) - positiveCount
        guard positiveCount > 0, negativeCount > 0 else { return nil }
        return (rankSum - positiveCount * (positiveCount + 1) / 2) / (positiveCount * negativeCount)
    }
}
