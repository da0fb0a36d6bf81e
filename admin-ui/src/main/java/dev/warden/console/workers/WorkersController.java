package dev.warden.console.workers;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.Worker;
import dev.warden.console.adminapi.WorkerClient;

/**
 * The workers page ({@code /workers}, every console role, read-only): one page of the
 * workers the gateway replica that answered routes to, as it sees them now. Another
 * replica may see a breaker or health differently, so the page says whose view it is.
 */
@Controller
class WorkersController {

	static final int PAGE_SIZE = 20;

	private final WorkerClient workers;

	WorkersController(WorkerClient workers) {
		this.workers = workers;
	}

	@GetMapping("/workers")
	String workers(@RequestParam(name = "page", defaultValue = "0") int number, ModelMap page) {
		int wanted = Math.max(0, number);
		page.addAttribute("page", wanted);
		try {
			Page<Worker> answer = this.workers.workers(wanted, PAGE_SIZE);
			page.addAttribute("workers", answer.content());
			page.addAttribute("nextPage", answer.nextPage());
			page.addAttribute("previousPage", (wanted > 0) ? wanted - 1 : null);
		}
		catch (AdminApiException ex) {
			page.addAttribute("workersError", ex.getMessage());
		}
		return "workers/workers";
	}

}
