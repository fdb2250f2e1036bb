import numpy as np, sys
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
sys.path.insert(0, "/work/main/src")
from newsqa.answer import FEATURES
from newsqa.tuning import HAND_WEIGHTS
W = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])
sets = sys.argv[1].split(",")
D = {s: np.load(f"/tmp/s19/pool_{s}.npz") for s in sets}
def prep(d):
    F = d["F"]; Q = d["Q"]; K = d["K"]
    hand = F @ W
    # per-question relative features: hand score gap to best, rank of hand score
    gap = np.zeros(len(F)); rank = np.zeros(len(F))
    for q in np.unique(Q):
        i = np.flatnonzero(Q == q)
        h = hand[i]; gap[i] = h - h.max(); rank[i] = np.argsort(np.argsort(-h))
    X = np.column_stack([F, K, hand, gap, np.minimum(rank, 10)])
    return X, d["Y"].astype(float), Q, hand
def top1(score, Y, Q):
    hits = n = 0
    for q in np.unique(Q):
        i = np.flatnonzero(Q == q); hits += Y[i[np.argmax(score[i])]]; n += 1
    return hits / n
P = {s: prep(D[s]) for s in sets}
params = dict(n_estimators=200, max_depth=3, learning_rate=0.05, subsample=0.8, min_samples_leaf=50, random_state=0)
for test in sets:
    tr = [s for s in sets if s != test]
    X = np.vstack([P[s][0] for s in tr]); Y = np.concatenate([P[s][1] for s in tr])
    m = GradientBoostingClassifier(**params).fit(X, Y)
    Xt, Yt, Qt, hand = P[test]
    p = m.predict_proba(Xt)[:, 1]
    print(test, "hand %.4f  gbc %.4f" % (top1(hand, Yt, Qt), top1(p, Yt, Qt)), flush=True)
