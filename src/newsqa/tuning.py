"""Every scoring weight of retrieval, answers, short answers and mark restoration, in one
frozen record (as bm25s keeps k1 and b on its BM25 object). An experiment, or a learned
model, changes this one object: ``Settings(tuning=Tuning(keyword_weight=0.1))`` or
``NEWSQA_TUNING__KEYWORD_WEIGHT=0.1``. The defaults were chosen on the dev sets, kept few
and coarse."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

HAND_WEIGHTS = {"sim": 1.0, "chunk": 0.5, "keyword": 0.25, "typed": 0.02, "restates": -0.05,
                "keyword_en": 0.15}


class Tuning(BaseModel):
    """Scoring weights. Cosines of e5 spread over about 0.1, so most weights are small."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Retrieval: dense cosine, best sentence and BM25, fused per chunk.
    keyword_weight: float = Field(default=0.08, description="how far BM25 may move a chunk's score")
    english_keyword_factor: float = Field(
        default=0.5, description="BM25 weight kept for English questions (glossary terms only)")
    sentence_weight: float = Field(
        default=0.5, description="share of a chunk's best sentence cosine in its dense score")
    candidates: int = Field(default=100, description="chunks each side (dense, BM25) brings in")
    exhaustive_below: int = Field(
        default=2000, description="filters leaving this many chunks or fewer: every one is scored")

    # Answer sentences: a linear score over the features of answer.FEATURES. The default
    # is the hand-set formula (cosine, 0.5 × the chunk's score against the best, 0.25 ×
    # question-term overlap, 0.4 for English questions, ±0.02 for holding the asked type,
    # -0.05 for only restating the question). benchmarks/train_ranker.py fits weights on the
    # dev sets; cross-validated they lose to these (docs/BENCHMARKS.md).
    sentence_weights: dict[str, float] = Field(
        default_factory=lambda: dict(HAND_WEIGHTS),
        description="weight of each sentence feature (answer.FEATURES)")
    min_new_words: int = Field(default=3, description="content words a sentence must add")
    second_quote_gap: float = Field(default=0.01, description="a second quote joins within this")
    other_article_gap: float = Field(
        default=0.02, description="a quote of another article that names what the first "
        "does not joins within this")
    chunks_for_sentences: int = Field(default=6, description="best chunks whose sentences compete")
    citations: int = Field(default=3, description="quotes cited per answer")
    announce_max_new_words: int = Field(
        default=5, description="a quoted sentence adding at most this many words to the "
        "question only announces: its quote goes on to the next sentence of the paragraph")
    run_on_max_chars: int = Field(
        default=400, ge=0, description="the first quote runs on to the next sentence of its "
        "article when that one scores second best, while the two stay this short (0: never)")
    other_side_penalty: float = Field(
        default=0.1, description="a sentence that reports only other sides than the one a "
        "question asks about ('về phía Tập đoàn', 'for the Tập đoàn side'), when another "
        "candidate reports that one (sides.py)")
    rerank_min_confidence: float = Field(
        default=0.06, description="support above which the answer's chunk ranks first among hits")

    # Abstention: support = dense + conf_keyword*overlap + conf_coverage*coverage - base.
    base_vi: float = Field(default=0.865, description="support baseline, Vietnamese question")
    base_en: float = Field(default=0.765, description="support baseline, English question")
    conf_keyword: float = 0.15
    conf_coverage: float = 0.03
    # An answer is given when support reaches the margin of its kind of question. Chosen
    # on questions asked of an index that cannot answer them (docs/BENCHMARKS.md,
    # "Questions the corpus cannot answer"): the most abstention there that keeps it at
    # about 0.005 on each answerable dev set.
    abstain_vi: float = Field(default=0.02, description="support margin, Vietnamese question")
    abstain_vi_restored: float = Field(
        default=0.0, description="support margin, Vietnamese typed without marks")
    abstain_en: float = Field(default=0.01, description="support margin, English question")
    abstain_without_known_words: bool = Field(
        default=True, description="abstain when no content word of the question is known to "
        "the index or the glossary (gibberish, keyboard mash, markup)")
    unseen_name_penalty: float = Field(
        default=0.02, description="more support needed when no passage names the question's names")

    # Questions that ask several things, each with its own asking word ("Ai ký…, và ai
    # ký…?"): each part is answered alone and every part's best quote cited (parts.py).
    split_questions: bool = Field(
        default=True, description="answer each part of a question that asks several things")

    # Conversations.
    history_vector_weight: float = Field(
        default=0.5, description="share of the earlier question in a follow-up's vector")
    follow_up_max_words: int = Field(default=5, description="a question this short follows up")
    history_term_weight: float = Field(
        default=0.3, description="earlier question's words, in spans")
    contrast_history_vector_weight: float = Field(
        default=0.2, description="the same share after 'Còn…/What about…' (the earlier "
        "question names the party turned away from)")
    turned_away_penalty: float = Field(
        default=0.05, description="a sentence about the party a 'Còn…' follow-up turns from")
    quoted_before_penalty: float = Field(
        default=0.2, description="a sentence the earlier answer quoted, after 'Còn…/What "
        "about…'")
    answered_before_penalty: float = Field(
        default=0.02, description="a sentence the last answer gave, for any next question")
    contrast_term_weight: float = Field(
        default=-0.5, description="earlier question's words after 'Còn…/What about…'")
    # The article the last turn was about (its question and answer, by keywords) rises by
    # weight × r^power, r being the question's own best keyword score in that article over
    # its best anywhere: a question that names another article's subject moves on.
    conversation_article_weight: float = Field(
        default=0.1, description="rise of the last turn's article, in cosine units")
    conversation_article_power: float = 1.0

    # Short answers: when set, shown when the reader's margin (its best span's start + end
    # score less that of "no answer", reader.py) is this high; one value per language,
    # whatever the file and whatever the span. None: the judge the model ships with
    # (reader_model.json "span_judge", spanjudge.py), which benchmarks/reader_margins.py
    # fits for each model: the probability from which span_f1_shown stays >= 0.70 on every
    # dev set of the language, by article held out (docs/BENCHMARKS.md, "Short answers: the
    # reader").
    short_answers: bool = Field(
        default=True, description="run the reader for a short answer (its cost is most of "
        "`ask`'s time after the query embedding; docs/BENCHMARKS.md)")
    span_min_margin: float | None = Field(
        default=None, description="reader margin a short answer needs, Vietnamese question "
        "(None: the model's judge decides)")
    span_min_margin_en: float | None = Field(
        default=None, description="reader margin a short answer needs, English question "
        "(None: the model's judge decides)")

    # Restoring marks of Vietnamese typed without them.
    restore_candidates: int = Field(default=6, description="written forms tried per plain syllable")
    restore_bigram_weight: float = 2.0
    restore_function_word_boost: int = Field(
        default=2, description="question words count this many times the commonest reading")

    def span_threshold(self, vietnamese: bool) -> float | None:
        """The reader margin a short answer needs for a question in this language (None:
        the model's judge decides)."""
        return self.span_min_margin if vietnamese else self.span_min_margin_en
