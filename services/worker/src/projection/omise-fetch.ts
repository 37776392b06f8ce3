import type { Dispute, DisputeDocument, OmiseClient, Refund } from '@omise-sync/omise-client';
import type { ChargeObservation } from './charge.projector';
import { embeddedRefunds } from './charge.projector';
import { embeddedDocuments } from './dispute.projector';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Fetches a charge and every one of its refunds: the embedded list when it is complete (one
 * call), otherwise all pages of `GET /charges/{id}/refunds`.
 */
export async function fetchChargeObservation(
  omise: OmiseClient,
  chargeId: string,
): Promise<ChargeObservation> {
  const charge = await omise.charges.retrieve(chargeId);
  const refunds: Refund[] =
    embeddedRefunds(charge) ?? (await collect(omise.refunds.list(chargeId)));
  return { charge, refunds };
}

/** A dispute with its complete document list. */
export interface DisputeObservation {
  dispute: Dispute;
  documents: DisputeDocument[];
}

/**
 * Fetches a dispute and all of its documents: the embedded list when it is complete,
 * otherwise all pages of `GET /disputes/{id}/documents`.
 */
export async function fetchDisputeObservation(
  omise: OmiseClient,
  disputeId: string,
): Promise<DisputeObservation> {
  const dispute = await omise.disputes.retrieve(disputeId);
  const documents = embeddedDocuments(dispute) ?? (await collect(omise.documents.list(disputeId)));
  return { dispute, documents };
}
