// Stripe's Payment Element, used only with a real Stripe publishable key (Stripe.js is the one
// script the app loads from elsewhere). The payment is confirmed by Stripe's webhook, not here.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.getAttribute("data-publishable-key"));
  var elements = stripe.elements({ clientSecret: form.getAttribute("data-client-secret") });
  var payment = elements.create("payment");
  payment.mount("#payment-element");
  var message = document.getElementById("payment-message");
  var button = document.getElementById("pay-button");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.getAttribute("data-return-url") } })
      .then(function (result) {
        if (result.error) { message.textContent = result.error.message; button.disabled = false; }
      });
  });
})();
