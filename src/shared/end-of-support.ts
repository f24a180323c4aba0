/**
 * AWS Proton's end of support, as both the constructs and the handlers speak of it. No
 * aws-cdk-lib here: the handlers bundle this file.
 */

/** The day AWS Proton's console and API were shut down and its data deleted. */
export const END_OF_SUPPORT_DATE = '2026-10-07';

/**
 * The context key of the end-of-support switch: `true` in `cdk.json` or `-c key=true`. After
 * one deploy with it, the library's custom resources update and delete without calling Proton.
 */
export const END_OF_SUPPORT_CONTEXT_KEY = 'cdk-proton-account-connections:endOfSupport';

/** What a user does to remove a stack whose Proton calls cannot succeed any more. */
export const END_OF_SUPPORT_ADVICE =
  `If this is AWS Proton's end of support (${END_OF_SUPPORT_DATE}), deploy this stack once with `
  + `-c ${END_OF_SUPPORT_CONTEXT_KEY}=true, then destroy it: with the switch, the library's resources make no Proton calls.`;

/**
 * Attribute value for what only Proton could tell (a connection's status, an accepted
 * connection's id) once the switch is on.
 */
export const END_OF_SUPPORT_ATTRIBUTE_VALUE = 'END_OF_SUPPORT';
