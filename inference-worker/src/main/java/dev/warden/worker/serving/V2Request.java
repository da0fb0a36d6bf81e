package dev.warden.worker.serving;

import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;

/**
 * An Open Inference Protocol infer request checked against its signature.
 *
 * @param id the client's request id, echoed in the response, or {@code null}
 * @param signature the signature to run ({@code serving_default} unless the
 * {@code signature_name} parameter says otherwise)
 * @param inputs validated inputs, in the signature's order
 * @param outputs the outputs to answer with, in the order requested (all of the
 * signature's when none were named)
 */
record V2Request(String id, SignatureSpec signature, Map<String, InputColumn> inputs, List<String> outputs) {

}
