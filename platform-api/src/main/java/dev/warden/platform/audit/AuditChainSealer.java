package dev.warden.platform.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On start, seals events written before the chain existed (they got sequence numbers from
 * the migration but no hashes), so that verification succeeds before the first new event
 * is appended. Idempotent; safe with several replicas starting at once (the work runs
 * under the chain's head lock).
 */
@Component
class AuditChainSealer implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(AuditChainSealer.class);

	private final AuditTrail trail;

	private final TransactionTemplate transactions;

	AuditChainSealer(AuditTrail trail, TransactionTemplate transactions) {
		this.trail = trail;
		this.transactions = transactions;
	}

	@Override
	public void run(ApplicationArguments args) {
		this.transactions.executeWithoutResult((status) -> {
			AuditTrail.Head head = this.trail.lockHead();
			if (head.hash() == null) {
				this.trail.seal(head.seq());
				if (head.seq() > 0) {
					log.info("Sealed {} audit events written before the hash chain existed", head.seq());
				}
			}
		});
	}

}
