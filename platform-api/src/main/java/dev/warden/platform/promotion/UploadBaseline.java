package dev.warden.platform.promotion;

import java.util.Comparator;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.model.ModelVersionAdded;
import dev.warden.platform.routing.ModelRouting;
import dev.warden.platform.routing.ModelRouting.ApprovedChange;

/**
 * An upload must not change what tenants get. A model with no stable version serves its
 * newest version; when a version is uploaded to such a model and its policy requires
 * approval, the version that served until then (the newest other version that has not
 * failed to load) becomes the stable version — audited as {@code model.stable_set} by
 * {@code system} with {@code approved_by: baseline-before-upload:<version>} — so the new
 * version serves only once a promotion request for it is approved. The first version of a
 * new model has nothing before it and serves as soon as it is loaded. Runs before the
 * desired state is derived again for the upload (the listener's order).
 */
@Component
class UploadBaseline {

	private static final Logger log = LoggerFactory.getLogger(UploadBaseline.class);

	private final PromotionPolicies policies;

	private final ModelRouting routing;

	private final ModelCatalogue catalogue;

	private final TransactionTemplate transactions;

	UploadBaseline(PromotionPolicies policies, ModelRouting routing, ModelCatalogue catalogue,
			TransactionTemplate transactions) {
		this.policies = policies;
		this.routing = routing;
		this.catalogue = catalogue;
		this.transactions = transactions;
	}

	@EventListener
	@Order(Ordered.HIGHEST_PRECEDENCE)
	void versionAdded(ModelVersionAdded added) {
		if (!this.policies.current().forModel(added.model()).requireApproval()) {
			return;
		}
		if (this.routing.routing(added.model()).stableVersion() != null) {
			return;
		}
		Optional<Long> serving = this.catalogue.model(added.model())
			.stream()
			.flatMap((model) -> model.versions().stream())
			.filter((version) -> version.error() == null || "AVAILABLE".equals(version.state()))
			.map((version) -> Long.parseLong(version.version()))
			.filter((version) -> version != added.version())
			.max(Comparator.naturalOrder());
		if (serving.isEmpty()) {
			return;
		}
		try {
			this.transactions.executeWithoutResult((status) -> this.routing.applyApproved(added.model(),
					ApprovedChange.stable(serving.get(), "baseline-before-upload:" + added.version()),
					AuditTrail.SYSTEM_ACTOR));
			log.info(
					"Model {}: version {} is now its stable version (it served before version {} was uploaded; "
							+ "the new version serves once its promotion is approved)",
					added.model(), serving.get(), added.version());
		}
		catch (RuntimeException ex) {
			log.warn(
					"Model {}: version {} could not be made the stable version before the upload of version {} "
							+ "({}); the newest version serves until a stable version is set",
					added.model(), serving.get(), added.version(), ex.getMessage());
		}
	}

}
