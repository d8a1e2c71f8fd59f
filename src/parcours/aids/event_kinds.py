"""The vocabulary of the aids' event log (`aids.AidEvent.kind`), written by `aids.workflows`,
`aids.envelopes` and `aids.payments` only, read by `aids.figures`, the export and
`aids.recompute`."""

from __future__ import annotations

DEPOSITED = "aide.deposee"
INSTRUCTION_STARTED = "aide.instruction"
DOCUMENTS_REQUESTED = "aide.pieces_demandees"
DOCUMENTS_RECEIVED = "aide.pieces_recues"
TO_COMMISSION = "aide.commission"
UNLISTED = "aide.retiree_commission"  # taken off a planned session's agenda
GRANTED = "aide.accordee"  # amount: committed on the envelope
REFUSED = "aide.refusee"  # reason: the refusal reasons, comma-separated codes
ADJOURNED = "aide.ajournee"
CANCELLED = "aide.annulee"
WITHDRAWN = "aide.abandonnee"
PAYMENT_STARTED = "aide.mise_en_paiement"
PAID = "aide.payee"
CLOSED = "aide.cloturee"
RELEASED = "aide.liberation"  # amount: released from the envelope (cancellation, reduction)
PAYMENT = "aide.paiement"  # amount: consumed (moved from committed to consumed)
PAYMENT_SUSPENDED = "aide.paiement_suspendu"
PAYMENT_RESUMED = "aide.paiement_repris"  # the certificate is back: the payment is scheduled again
RECOVERY_OPENED = "aide.indu"  # amount: the undue payment
RECOVERY_SETTLED = "aide.indu_solde"  # amount: recovered (0 when waived)
CUMULATION_PROPOSED = "aide.cumul_propose"

LABELS: dict[str, str] = {
    DEPOSITED: "Demande déposée",
    INSTRUCTION_STARTED: "Instruction commencée",
    DOCUMENTS_REQUESTED: "Pièces demandées (délai suspendu)",
    DOCUMENTS_RECEIVED: "Pièces reçues (délai repris)",
    TO_COMMISSION: "Inscrite en commission",
    UNLISTED: "Retirée de l'ordre du jour de la commission",
    GRANTED: "Aide accordée",
    REFUSED: "Aide refusée",
    ADJOURNED: "Décision ajournée",
    CANCELLED: "Aide annulée",
    WITHDRAWN: "Demande abandonnée",
    PAYMENT_STARTED: "Mise en paiement",
    PAID: "Aide payée",
    CLOSED: "Demande clôturée",
    RELEASED: "Crédits libérés",
    PAYMENT: "Paiement effectué",
    PAYMENT_SUSPENDED: "Paiement suspendu",
    PAYMENT_RESUMED: "Paiement repris",
    RECOVERY_OPENED: "Indu constaté",
    RECOVERY_SETTLED: "Indu soldé",
    CUMULATION_PROPOSED: "Cumul RSA et salaire proposé",
}
