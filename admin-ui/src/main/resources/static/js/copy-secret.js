// Shows the Copy button next to a newly issued API key and copies the key to the clipboard.
// Optional: without script the key is still selectable in its read-only field.
(function () {
  'use strict';
  document.querySelectorAll('button[data-copy-from]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy-from'));
    var status = button.parentNode.querySelector('.copy-status');
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener('click', function () {
      var done = function (text) {
        if (status) {
          status.textContent = text;
        }
      };
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          done('Copied.');
        }, function () {
          done('Could not copy: select the key and copy it by hand.');
        });
      }
      else {
        done(document.execCommand && document.execCommand('copy') ? 'Copied.'
          : 'Could not copy: select the key and copy it by hand.');
      }
    });
  });
}());
