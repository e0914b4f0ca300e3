/** The escalation schemas live in protocol (issue 21: the console's forms are generated from them). */
export {
  ContactSchema,
  PoliciesBody,
  type PolicyDoc,
  PolicySchema,
  RecipientSchema,
  type RosterDoc,
  RosterSchema,
  RostersBody,
  TierSchema,
} from '@gwanje/protocol/schemas/escalation.js';
