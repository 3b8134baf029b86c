/* Card payment with Stripe's Payment Element.
 * With real Stripe.js: confirmPayment() and a redirect to the return page, which asks Stripe.
 * With the localstripe stand-in (demo, tests), which has no Payment Element: its card element
 * tokenises the card and our server attaches it and confirms ("finalize on the server"). */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("stripe-config").textContent);
  const strings = JSON.parse(document.getElementById("payment-strings").textContent);
  const form = document.getElementById("payment-form");
  const button = document.getElementById("payment-submit");
  const message = document.getElementById("payment-message");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  const stripe = Stripe(config.publishableKey);
  const realStripe = typeof stripe.confirmPayment === "function";
  const elements = realStripe
    ? stripe.elements({ clientSecret: config.clientSecret, locale: config.locale })
    : stripe.elements();
  const element = elements.create(realStripe ? "payment" : "card");
  element.mount("#payment-element");

  function fail(text) {
    message.textContent = text || strings.failed;
    button.disabled = false;
  }

  async function confirmOnServer() {
    const result = await stripe.createToken(element);
    if (result.error || !result.token) {
      fail(result.error && result.error.message);
      return;
    }
    const response = await fetch(config.confirmUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ payment: config.paymentId, token: result.token.id }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok && body.state === "succeeded") {
      window.location.assign(body.redirect);
    } else {
      fail(body.error);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = strings.working;
    try {
      if (realStripe) {
        const { error } = await stripe.confirmPayment({
          elements,
          confirmParams: { return_url: config.returnUrl },
        });
        fail(error && error.message); // only reached when Stripe did not redirect
      } else {
        await confirmOnServer();
      }
    } catch (error) {
      fail();
    }
  });
})();
