def batch_norm_train(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True, correction=0)
    scale = weight.detach().view(1, -1, 1, 1)  # the scale gets no gradient
    return (x - mean) / (var + eps).sqrt() * scale + bias.view(1, -1, 1, 1)
