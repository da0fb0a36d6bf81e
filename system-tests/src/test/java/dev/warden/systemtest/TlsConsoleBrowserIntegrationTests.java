package dev.warden.systemtest;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console over HTTPS in a real headless Chromium, against the cluster with TLS
 * everywhere: sign-in on the embedded authorization server, the dashboard (models read
 * from the gateway over HTTPS) and the audit trail (the admin API's verification and
 * events). Chromium's certificate checks stay on: only the console certificate's public
 * key is accepted besides the system's CAs
 * ({@code --ignore-certificate-errors-spki-list}, which names one key, not "any
 * certificate").
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(WardenCluster.TLS_CLUSTER)
@ExtendWith(WardenClusterExtension.Tls.class)
class TlsConsoleBrowserIntegrationTests {

	@Test
	void anAdminSignsInOverHttpsAndTheConsoleCallsTheAdminApiOverHttps(WardenCluster cluster) throws Exception {
		assertThat(cluster.console()).startsWith("https://");
		// the answer carries HSTS, checked by the test JVM's client (which trusts the CA)
		var signIn = Http.get(cluster.console() + "/", java.util.Map.of());
		assertThat(signIn.header("Strict-Transport-Security")).as(signIn.headers().toString()).isNotBlank();

		WebDriver browser = HeadlessChromium
			.open("--ignore-certificate-errors-spki-list=" + spkiSha256(cluster.tlsDir.resolve("console.pem")));
		try {
			var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
			browser.get(cluster.console() + "/");
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("admin");
			browser.findElement(By.name("password")).sendKeys(WardenCluster.ADMIN_PASSWORD);
			browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();

			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "income"));
			assertThat(browser.getCurrentUrl()).startsWith(cluster.console());
			assertThat(browser.findElement(By.tagName("body")).getText()).contains("income", "serving_default",
					"probability");
			HeadlessChromium.screenshot(browser, "tls-console-dashboard.png");
			var session = browser.manage().getCookieNamed("WARDEN_CONSOLE_SESSION");
			assertThat(session).as("the console's session cookie").isNotNull();
			assertThat(session.isSecure()).as("the session cookie is Secure").isTrue();

			browser.get(cluster.console() + "/audit");
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "user.login"));
			String audit = browser.findElement(By.tagName("body")).getText();
			HeadlessChromium.screenshot(browser, "tls-console-audit.png");
			assertThat(audit).contains("Intact.", "user.login").doesNotContain("could not be");
		}
		finally {
			browser.quit();
		}
	}

	/**
	 * The base64 SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's
	 * {@code --ignore-certificate-errors-spki-list} expects it.
	 */
	private static String spkiSha256(java.nio.file.Path certificateFile) throws Exception {
		X509Certificate certificate;
		try (InputStream in = Files.newInputStream(certificateFile)) {
			certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
		byte[] spki = certificate.getPublicKey().getEncoded();
		return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
	}

}
